//! I3: any input either is refused or parses to a canonical case number that parses again to
//! itself, with the same year, court, type and sequence.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shixin_fuzz::domain::case_number::CaseNumber;

fuzz_target!(|s: &str| {
    for parsed in [CaseNumber::parse(s), CaseNumber::parse_enforcement(s)] {
        let Ok(c) = parsed else { continue };
        let again = CaseNumber::parse(c.as_str()).expect("a canonical case number parses");
        assert_eq!(again.as_str(), c.as_str(), "canonical form is stable");
        assert_eq!(again.year(), c.year());
        assert_eq!(again.seq(), c.seq());
        assert_eq!(again.case_type(), c.case_type());
        assert_eq!(again.is_enforcement(), c.is_enforcement());
        if let Some(court) = c.court() {
            assert!(c.belongs_to(court));
        }
    }
});
