//! The configuration rules, without a process environment.

use super::*;

fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn durations_parse() {
    assert_eq!(
        parse_duration("200ms").ok(),
        Some(Duration::from_millis(200))
    );
    assert_eq!(
        parse_duration("5d").ok(),
        Some(Duration::from_secs(5 * 86400))
    );
    assert!(parse_duration("5 weeks").is_err());
    // Too long: refused with a message, never an overflow.
    assert_eq!(
        parse_duration("36500d").ok(),
        Some(Duration::from_secs(36_500 * 86_400))
    );
    for s in ["36501d", "99999999999999999d", "18446744073709551615h"] {
        let e = parse_duration(s).err().map(|e| format!("{e:#}"));
        assert!(
            e.as_deref().is_some_and(|e| e.contains("at most 36500d")),
            "{s}: {e:?}"
        );
    }
}

#[test]
fn production_refuses_missing_or_short_secret() {
    assert!(Settings::from_map(&map(&[("SHIXIN_ENV", "production")])).is_err());
    let short = map(&[("SHIXIN_ENV", "production"), ("SHIXIN_JWT_SECRET", "short")]);
    assert!(Settings::from_map(&short).is_err());
    let ok = map(&[
        ("SHIXIN_ENV", "production"),
        ("SHIXIN_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
    ]);
    assert!(Settings::from_map(&ok).is_ok());
}

#[test]
fn defaults_work_without_configuration() {
    let s = Settings::from_map(&HashMap::new()).ok();
    let s = s.as_ref();
    assert_eq!(s.map(|s| s.bind.to_string()), Some("127.0.0.1:8080".into()));
    assert_eq!(
        s.map(|s| s.jwt_secret.expose() == DEVELOPMENT_JWT_SECRET),
        Some(true)
    );
    assert_eq!(s.map(|s| s.webhook_retry_schedule.len()), Some(7));
}

#[test]
fn redis_none_disables_cache() {
    let s = Settings::from_map(&map(&[("REDIS_URL", "none")])).ok();
    assert_eq!(s.map(|s| s.redis_url.is_none()), Some(true));
}

const STRONG: &str = "0123456789abcdef0123456789abcdef";

/// The error `from_map` gives for `pairs`, or `None` when it accepts them.
fn refusal(pairs: &[(&str, &str)]) -> Option<String> {
    Settings::from_map(&map(pairs))
        .err()
        .map(|e| format!("{e:#}"))
}

#[test]
fn shixin_env_accepts_development_and_production_in_any_case() {
    for (value, canonical) in [
        ("development", "development"),
        ("Development", "development"),
        ("production", "production"),
        ("Production", "production"),
        ("PRODUCTION", "production"),
    ] {
        let s = Settings::from_map(&map(&[
            ("SHIXIN_ENV", value),
            ("SHIXIN_JWT_SECRET", STRONG),
        ]));
        assert_eq!(
            s.ok().map(|s| s.env),
            Some(canonical.to_string()),
            "{value}"
        );
    }
    assert_eq!(
        Settings::from_map(&HashMap::new()).ok().map(|s| s.env),
        Some("development".to_string())
    );
}

#[test]
fn production_in_any_case_refuses_a_missing_secret_and_logs_json() {
    let err = refusal(&[("SHIXIN_ENV", "Production")]).unwrap_or_default();
    assert!(err.contains("SHIXIN_JWT_SECRET is not set"), "{err}");
    let s = Settings::from_map(&map(&[
        ("SHIXIN_ENV", "Production"),
        ("SHIXIN_JWT_SECRET", STRONG),
    ]));
    assert_eq!(s.ok().map(|s| s.log_format), Some(LogFormat::Json));
}

#[test]
fn unknown_shixin_env_is_refused_naming_the_accepted_values() {
    for value in ["prod", "staging", "dev", "test", "production "] {
        let err = refusal(&[("SHIXIN_ENV", value), ("SHIXIN_JWT_SECRET", STRONG)]);
        // A trailing space is trimmed like every other value, so `production ` is production.
        if value == "production " {
            assert_eq!(err, None);
            continue;
        }
        let err = err.unwrap_or_default();
        assert!(
            err.contains("SHIXIN_ENV must be development or production"),
            "{value}: {err}"
        );
    }
}

#[test]
fn the_development_secret_is_refused_in_production_even_when_set_explicitly() {
    let err = refusal(&[
        ("SHIXIN_ENV", "production"),
        ("SHIXIN_JWT_SECRET", DEVELOPMENT_JWT_SECRET),
    ])
    .unwrap_or_default();
    assert!(err.contains("development secret"), "{err}");
    assert!(!err.contains(DEVELOPMENT_JWT_SECRET), "{err}");
}

#[test]
fn a_non_loopback_bind_refuses_the_development_missing_or_short_secret() {
    for bind in [
        "0.0.0.0:8080",
        "[::]:8080",
        "10.1.2.3:8080",
        "[::ffff:127.0.0.1]:8080",
    ] {
        for secret in [None, Some(DEVELOPMENT_JWT_SECRET), Some("short")] {
            let mut pairs = vec![("SHIXIN_BIND", bind)];
            pairs.extend(secret.map(|s| ("SHIXIN_JWT_SECRET", s)));
            let err = refusal(&pairs).unwrap_or_default();
            assert!(
                err.contains("not a loopback address"),
                "{bind} {secret:?}: {err}"
            );
            assert!(!err.contains(DEVELOPMENT_JWT_SECRET), "{err}");
        }
        assert_eq!(
            refusal(&[("SHIXIN_BIND", bind), ("SHIXIN_JWT_SECRET", STRONG)]),
            None,
            "{bind}"
        );
    }
}

#[test]
fn a_loopback_bind_in_development_keeps_the_development_secret() {
    for bind in ["127.0.0.1:8080", "127.8.9.10:0", "[::1]:8080"] {
        let s = Settings::from_map(&map(&[("SHIXIN_BIND", bind)]));
        assert_eq!(
            s.ok()
                .map(|s| s.jwt_secret.expose() == DEVELOPMENT_JWT_SECRET),
            Some(true),
            "{bind}"
        );
        let explicit = [
            ("SHIXIN_BIND", bind),
            ("SHIXIN_JWT_SECRET", DEVELOPMENT_JWT_SECRET),
        ];
        assert_eq!(refusal(&explicit), None, "{bind}");
    }
}

#[test]
fn watchlist_key_defaults_to_the_jwt_secret_and_a_short_one_is_refused() {
    let secret = "a-jwt-secret-of-at-least-32-characters-long";
    let s = Settings::from_map(&map(&[("SHIXIN_JWT_SECRET", secret)])).expect("settings");
    assert_eq!(s.watchlist_key.expose(), secret);
    let own = "a-watch-list-key-of-at-least-32-characters";
    let s = Settings::from_map(&map(&[("SHIXIN_WATCHLIST_KEY", own)])).expect("settings");
    assert_eq!(s.watchlist_key.expose(), own);
    let e = Settings::from_map(&map(&[("SHIXIN_WATCHLIST_KEY", "short")])).err();
    assert!(
        e.is_some_and(|e| format!("{e:#}").contains("SHIXIN_WATCHLIST_KEY is shorter")),
        "a short key is refused"
    );
}

#[test]
fn an_unset_database_url_is_the_default_address_or_the_embedded_cluster() {
    let s = Settings::from_map(&map(&[])).unwrap();
    assert_eq!(s.database_source, DatabaseSource::Default);
    assert_eq!(s.database_url.expose(), DEFAULT_DATABASE_URL);
    assert!(s.redis_default);
    let s = Settings::from_map(&map(&[("DATABASE_URL", "Embedded")])).unwrap();
    assert_eq!(s.database_source, DatabaseSource::Embedded);
    let s = Settings::from_map(&map(&[
        ("DATABASE_URL", "postgres://u@db:5432/x"),
        ("REDIS_URL", "redis://cache:6379"),
    ]))
    .unwrap();
    assert_eq!(s.database_source, DatabaseSource::Configured);
    assert_eq!(s.database_url.expose(), "postgres://u@db:5432/x");
    assert!(!s.redis_default);
}
