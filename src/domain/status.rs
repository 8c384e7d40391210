//! The states of restriction orders, releases and webhook deliveries, and the other closed
//! vocabularies the service stores as text (the listing's own status is
//! [`super::listing_rules::ListingStatus`]). Each value has one code, the one in the API and the
//! database; `db::status` maps them to columns, so no code outside those two places spells a state.

code_enum! {
    /// A person or an organisation: a listing's `debtor_kind`, an order subject's `kind`.
    pub enum PartyKind {
        Person = ("person", "自然人"),
        Organization = ("organization", "法人或者其他组织"),
    }
}

code_enum! {
    /// What a subscriber's feed, snapshot and webhooks carry: everything of its sector, or only the
    /// events and subjects on its watch-list (docs/API.md "Watch-lists"). Set at creation, never
    /// changed.
    pub enum SubscriberScope {
        All = ("all", "全部"),
        Watchlist = ("watchlist", "关注名单"),
    }
}

code_enum! {
    /// Status of a restriction order (R1, R5): in force until lifted.
    pub enum RestrictionStatus {
        Active = ("active", "生效"),
        Lifted = ("lifted", "已解除"),
    }
}

impl RestrictionStatus {
    /// Only an active order binds anyone, and only an active order may change.
    pub fn is_active(&self) -> bool {
        *self == Self::Active
    }
}

code_enum! {
    /// Status of a release (R4): active, revoked by a court, or expired after its window.
    pub enum ReleaseStatus {
        Active = ("active", "有效"),
        Revoked = ("revoked", "已撤销"),
        Expired = ("expired", "已到期"),
    }
}

code_enum! {
    /// Status of a webhook delivery: waiting for an attempt, delivered, or failed after every retry.
    pub enum DeliveryStatus {
        Pending = ("pending", "待发送"),
        Delivered = ("delivered", "已送达"),
        Failed = ("failed", "发送失败"),
    }
}

code_enum! {
    /// Why a webhook was disabled: failures for longer than the limit, the receiver answered 410,
    /// or its subscriber disabled it.
    pub enum DisabledReason {
        Failing = ("failing", "持续失败"),
        Gone = ("gone", "接收方已停用"),
        Subscriber = ("subscriber", "订阅方停用"),
    }
}

code_enum! {
    /// The answer of a check for one subject (docs/API.md "Checks").
    pub enum Decision {
        Allow = ("allow", "允许"),
        Deny = ("deny", "限制"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes of `all`, space-separated.
    fn codes<T>(all: &[T], code: fn(&T) -> &'static str) -> String {
        all.iter().map(code).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn codes_match_the_check_constraints() {
        assert_eq!(
            codes(&RestrictionStatus::ALL, RestrictionStatus::code),
            "active lifted"
        );
        assert_eq!(
            codes(&ReleaseStatus::ALL, ReleaseStatus::code),
            "active revoked expired"
        );
        assert_eq!(
            codes(&DeliveryStatus::ALL, DeliveryStatus::code),
            "pending delivered failed"
        );
        assert_eq!(
            codes(&DisabledReason::ALL, DisabledReason::code),
            "failing gone subscriber"
        );
        assert_eq!(
            codes(&PartyKind::ALL, PartyKind::code),
            "person organization"
        );
        assert_eq!(codes(&Decision::ALL, Decision::code), "allow deny");
    }

    #[test]
    fn serde_is_the_code_and_unknown_values_are_refused() {
        assert_eq!(
            serde_json::to_value(DeliveryStatus::Delivered).unwrap(),
            "delivered"
        );
        let k: PartyKind = serde_json::from_str("\"organization\"").unwrap();
        assert_eq!(k, PartyKind::Organization);
        assert_eq!(
            ReleaseStatus::parse("lifted").unwrap_err().code,
            "invalid_value"
        );
        assert!(RestrictionStatus::Active.is_active() && !RestrictionStatus::Lifted.is_active());
    }
}
