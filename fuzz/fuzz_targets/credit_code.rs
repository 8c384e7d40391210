//! I2: any input either is refused or parses to a code that parses again to itself, with a
//! 9-character organisation code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shixin_fuzz::domain::credit_code::CreditCode;

fuzz_target!(|s: &str| {
    let Ok(c) = CreditCode::parse(s) else { return };
    let again = CreditCode::parse(c.as_str()).expect("a normalised code parses");
    assert_eq!(again.as_str(), c.as_str());
    assert_eq!(
        c.org_code().chars().count(),
        9,
        "organisation code of 9 characters"
    );
    assert_eq!(again.is_legacy_org_code(), c.is_legacy_org_code());
});
