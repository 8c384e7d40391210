//! A client generated from `openapi/openapi.json` by a standard generator works (issue 22, item 7):
//! `openapi-python-client` (installed by `scripts/test`) generates a Python package, and a check made
//! with it against the running service denies a listed person.

use std::process::{Command, Stdio};

use crate::{
    helpers::{make_id, spawn_app},
    webhooks::list_person,
};

#[tokio::test]
async fn a_generated_python_client_makes_a_check() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shixin_client");
    let generated = Command::new("openapi-python-client")
        .args([
            "generate",
            "--path",
            "openapi/openapi.json",
            "--meta",
            "none",
        ])
        .arg("--output-path")
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output();
    let generated = match generated {
        Ok(o) => o,
        Err(e) => panic!("install the generator: pip install openapi-python-client ({e})"),
    };
    assert!(
        generated.status.success(),
        "generation failed: {}",
        String::from_utf8_lossy(&generated.stderr)
    );
    let app = spawn_app().await;
    list_person(&app, 41).await;
    let (_, token) = app.subscriber_token("airline").await;
    let script = "import sys\n\
        sys.path.insert(0, sys.argv[1])\n\
        from shixin_client import AuthenticatedClient\n\
        from shixin_client.api.checks import checks_check\n\
        from shixin_client.models.check_in import CheckIn\n\
        client = AuthenticatedClient(base_url=sys.argv[2], token=sys.argv[3])\n\
        body = CheckIn.from_dict({'subjects': [{'id_number': sys.argv[4]}, {'id_number': sys.argv[5]}]})\n\
        r = checks_check.sync_detailed(client=client, body=body)\n\
        print(r.status_code.value, [x.decision for x in r.parsed.results], r.parsed.check_id)\n";
    // Off the runtime's thread: the service answers on this test's runtime while the client runs.
    let args = [
        dir.path().display().to_string(),
        app.address.clone(),
        token,
        make_id("110105", "19800101", 41),
        make_id("110105", "19800101", 42),
    ];
    let client = tokio::task::spawn_blocking(move || {
        Command::new("timeout")
            .args(["60", "python3", "-c", script])
            .args(args)
            .output()
            .expect("python3")
    });
    let ran = client.await.unwrap();
    let stdout = String::from_utf8_lossy(&ran.stdout);
    assert!(
        ran.status.success(),
        "the generated client failed: {}",
        String::from_utf8_lossy(&ran.stderr)
    );
    assert!(
        stdout.starts_with("200 ['deny', 'allow'] "),
        "the generated client's check answered {stdout}"
    );
}
