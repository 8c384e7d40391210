//! I1: any input either is refused or parses to a normalised 18-character number that parses again
//! to itself, whose birth date, age and mask can be computed, and whose mask hides the month and day of birth (L10).
#![no_main]

use libfuzzer_sys::fuzz_target;
use shixin_fuzz::domain::id_number::IdNumber;

fuzz_target!(|s: &str| {
    let Ok(id) = IdNumber::parse(s) else { return };
    let n = id.as_str();
    assert_eq!(n.len(), 18, "normalised to 18 characters");
    let again = IdNumber::parse(n).expect("a normalised number parses");
    assert_eq!(again.as_str(), n, "normalising is idempotent");
    let born = id.birth_date();
    let _ = id.age_on(born);
    let _ = id.gender();
    let masked = id.masked();
    assert_eq!(masked.len(), 18);
    assert_eq!(
        &masked[10..14],
        "****",
        "L10: the mask hides the month and day of birth"
    );
    assert_eq!((&masked[..10], &masked[14..]), (&n[..10], &n[14..]));
});
