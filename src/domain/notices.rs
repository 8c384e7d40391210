//! L15 (Art. 8 of the List Provisions): whom a court must notify once a listing is published (and
//! removed). (b) credit reference agencies, always; (c) the employer of a listed state functionary,
//! people's congress deputy or CPPCC member; (d) the superior body, competent department or owner
//! of a listed state organ, public institution or state-owned enterprise. (a), the departments of
//! joint punishment, are the sector subscribers that already receive every listing event.

use super::DomainError;
use crate::domain::ErrorCode;

code_enum! {
    /// L15 (c): a listed person whose employer (or managing body) must be told.
    pub enum OfficialStatus {
        CivilServant = ("civil_servant", "国家工作人员"),
        NpcDeputy = ("npc_deputy", "人大代表"),
        CppccMember = ("cppcc_member", "政协委员"),
    }
}

code_enum! {
    /// L15 (d): who owns an organisation debtor; all but `private` need a supervising body told.
    pub enum Ownership {
        StateOrgan = ("state_organ", "国家机关"),
        PublicInstitution = ("public_institution", "事业单位"),
        StateOwnedEnterprise = ("state_owned_enterprise", "国有企业"),
        Private = ("private", "非国有"),
    }
}

code_enum! {
    /// Whom a notice goes to (L15 (b), (c), (d)).
    pub enum RecipientKind {
        CreditReference = ("credit_reference", "征信机构"),
        Employer = ("employer", "工作单位"),
        SupervisingBody = ("supervising_body", "上级单位、主管部门或者履行出资人职责的机构"),
    }
}

code_enum! {
    /// A notice's state: `delivered` once the recipient's webhook answered 2xx or its feed read
    /// passed the event; `unregistered` when the recipient has no subscriber here (the court
    /// notifies by other means).
    pub enum NoticeStatus {
        Pending = ("pending", "待送达"),
        Delivered = ("delivered", "已送达"),
        Failed = ("failed", "送达失败"),
        Unregistered = ("unregistered", "未登记，须另行通报"),
    }
}

impl Ownership {
    /// L15 (d): state organs, public institutions and state-owned enterprises.
    pub fn is_state(&self) -> bool {
        !matches!(self, Ownership::Private)
    }
}

/// L15 (c)/(d): which recipient a debtor must have named, if any: an official status calls for
/// its employer, a state ownership for its supervising body. `notice_recipient_required` when that
/// recipient is missing; `invalid_value` when a recipient is named that the debtor's status does
/// not call for (an employer or body learns of a listing only when the law says it must).
pub fn required_recipient(
    official_status: Option<OfficialStatus>,
    ownership: Option<Ownership>,
    employer_named: bool,
    supervising_body_named: bool,
) -> Result<Option<RecipientKind>, (RecipientKind, DomainError)> {
    let needed = match (official_status, ownership) {
        (Some(_), _) => Some(RecipientKind::Employer),
        (None, Some(o)) if o.is_state() => Some(RecipientKind::SupervisingBody),
        _ => None,
    };
    for (kind, named) in [
        (RecipientKind::Employer, employer_named),
        (RecipientKind::SupervisingBody, supervising_body_named),
    ] {
        if needed == Some(kind) && !named {
            return Err((
                kind,
                DomainError::new(
                    ErrorCode::NoticeRecipientRequired,
                    match kind {
                        RecipientKind::Employer => {
                            "a listed state functionary, deputy or CPPCC member needs the employer (or managing body) to notify: give debtor.employer (L15 (c))"
                        }
                        _ => {
                            "a listed state organ, public institution or state-owned enterprise needs its supervising body to notify: give debtor.supervising_body (L15 (d))"
                        }
                    },
                ),
            ));
        }
        if named && needed != Some(kind) {
            return Err((
                kind,
                DomainError::new(
                    ErrorCode::InvalidValue,
                    match kind {
                        RecipientKind::Employer => {
                            "an employer is notified only of a listed official_status (L15 (c))"
                        }
                        _ => "a supervising body is notified only of a state ownership (L15 (d))",
                    },
                ),
            ));
        }
    }
    Ok(needed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l15_c_an_official_needs_the_employer() {
        let e =
            required_recipient(Some(OfficialStatus::NpcDeputy), None, false, false).unwrap_err();
        assert_eq!(e.0, RecipientKind::Employer);
        assert_eq!(e.1.code, ErrorCode::NoticeRecipientRequired);
        assert_eq!(
            required_recipient(Some(OfficialStatus::CivilServant), None, true, false).unwrap(),
            Some(RecipientKind::Employer)
        );
    }

    #[test]
    fn l15_d_state_ownership_needs_the_supervising_body() {
        for o in [
            Ownership::StateOrgan,
            Ownership::PublicInstitution,
            Ownership::StateOwnedEnterprise,
        ] {
            let e = required_recipient(None, Some(o), false, false).unwrap_err();
            assert_eq!(e.0, RecipientKind::SupervisingBody);
            assert_eq!(e.1.code, ErrorCode::NoticeRecipientRequired);
            assert_eq!(
                required_recipient(None, Some(o), false, true).unwrap(),
                Some(RecipientKind::SupervisingBody)
            );
        }
    }

    #[test]
    fn l15_nobody_is_told_without_the_status_that_calls_for_it() {
        assert_eq!(
            required_recipient(None, Some(Ownership::Private), false, false).unwrap(),
            None
        );
        assert_eq!(required_recipient(None, None, false, false).unwrap(), None);
        let e = required_recipient(None, None, true, false).unwrap_err();
        assert_eq!(
            (e.0, e.1.code),
            (RecipientKind::Employer, ErrorCode::InvalidValue)
        );
        let e = required_recipient(None, Some(Ownership::Private), false, true).unwrap_err();
        assert_eq!(
            (e.0, e.1.code),
            (RecipientKind::SupervisingBody, ErrorCode::InvalidValue)
        );
    }
}
