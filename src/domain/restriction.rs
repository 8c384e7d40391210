//! Restriction-order vocabulary: items (R2), subject roles (R3), releases (R4), lifting (R5) and
//! the subscriber sectors that see each item (docs/LAW.md "Roles").

use super::DomainError;
use crate::domain::ErrorCode;

code_enum! {
    /// R2: the restricted items of Art. 3 of the Restriction Provisions.
    pub enum RestrictionItem {
        AirTravel = ("air_travel", "乘坐飞机"),
        TrainSoftSleeper = ("train_soft_sleeper", "乘坐列车软卧"),
        GTrainAnySeat = ("g_train_any_seat", "乘坐G字头动车组列车全部座位"),
        EmuFirstClassOrAbove = ("emu_first_class_or_above", "乘坐其他动车组列车一等以上座位"),
        ShipSecondClassOrAbove = ("ship_second_class_or_above", "乘坐轮船二等以上舱位"),
        LuxuryVenues = (
            "luxury_venues",
            "在星级以上宾馆、酒店、夜总会、高尔夫球场等场所进行高消费"
        ),
        RealEstate = ("real_estate", "购买不动产或者新建、扩建、高档装修房屋"),
        OfficeLease = ("office_lease", "租赁高档写字楼、宾馆、公寓等场所办公"),
        VehiclePurchase = ("vehicle_purchase", "购买非经营必需车辆"),
        TravelVacation = ("travel_vacation", "旅游、度假"),
        PrivateSchool = ("private_school", "子女就读高收费私立学校"),
        HighPremiumInsurance = ("high_premium_insurance", "支付高额保费购买保险理财产品"),
    }
}

code_enum! {
    /// §5: subscriber sectors; each sees only its own items.
    pub enum Sector {
        Airline = ("airline", "航空"),
        Rail = ("rail", "铁路"),
        Shipping = ("shipping", "水运"),
        Hospitality = ("hospitality", "住宿与旅游"),
        RealEstate = ("real_estate", "不动产"),
        Finance = ("finance", "金融"),
        Education = ("education", "教育"),
        Government = ("government", "政府机关"),
        CreditReference = ("credit_reference", "征信机构"),
        NoticeRecipient = ("notice_recipient", "通报对象"),
    }
}

impl Sector {
    /// §5: the restriction items this sector enforces and may see.
    pub fn items(&self) -> &'static [RestrictionItem] {
        use RestrictionItem as I;
        match self {
            Sector::Airline => &[I::AirTravel],
            Sector::Rail => &[
                I::TrainSoftSleeper,
                I::GTrainAnySeat,
                I::EmuFirstClassOrAbove,
            ],
            Sector::Shipping => &[I::ShipSecondClassOrAbove],
            Sector::Hospitality => &[I::LuxuryVenues, I::TravelVacation],
            Sector::RealEstate => &[I::RealEstate, I::OfficeLease],
            Sector::Finance => &[I::HighPremiumInsurance, I::VehiclePurchase],
            Sector::Education => &[I::PrivateSchool],
            Sector::Government | Sector::CreditReference => &RestrictionItem::ALL,
            Sector::NoticeRecipient => &[],
        }
    }

    /// §5, L15 (c)/(d): an employer or supervising body sees only the listings that name it, and
    /// checks nobody.
    pub fn is_notice_recipient(&self) -> bool {
        *self == Sector::NoticeRecipient
    }

    /// L15 (b)-(d): the sectors whose subscribers are owed Art. 8 notices.
    pub fn receives_notices(&self) -> bool {
        matches!(self, Sector::CreditReference | Sector::NoticeRecipient)
    }

    /// True when the sector may see `item` (§5).
    pub fn sees(&self, item: RestrictionItem) -> bool {
        self.items().contains(&item)
    }
}

code_enum! {
    /// R3: the role in which a person is bound by a restriction order.
    pub enum SubjectRole {
        Debtor = ("debtor", "被执行人"),
        LegalRepresentative = ("legal_representative", "法定代表人"),
        Principal = ("principal", "主要负责人"),
        DirectlyResponsible = ("directly_responsible", "影响债务履行的直接责任人员"),
        ActualController = ("actual_controller", "实际控制人"),
    }
}

impl SubjectRole {
    /// R3: roles of associated persons of an organisation: any role but `debtor`
    /// (`invalid_value`).
    pub fn parse_associated(code: &str) -> Result<SubjectRole, DomainError> {
        match Self::parse(code)? {
            SubjectRole::Debtor => Err(DomainError::new(
                ErrorCode::InvalidValue,
                "an associated person's role is legal_representative, principal, \
                 directly_responsible or actual_controller",
            )),
            role => Ok(role),
        }
    }
}

code_enum! {
    /// R4: why a court permits a restricted person to do a restricted thing.
    pub enum ReleaseReason {
        PrivateFunds = ("private_funds", "以个人财产进行消费"),
        Necessity = ("necessity", "生活或者经营必需"),
        Medical = ("medical", "本人或近亲属重大疾病就医"),
        Funeral = ("funeral", "近亲属丧葬"),
        OfficialDuty = ("official_duty", "执行公务"),
        ForeignAffairs = ("foreign_affairs", "外事活动"),
        Exam = ("exam", "参加重要考试"),
    }
}

code_enum! {
    /// R5: why a restriction order (or one of its subjects) is lifted.
    pub enum LiftReason {
        SecurityProvided = ("security_provided", "被执行人提供确实有效的担保"),
        CreditorConsent = ("creditor_consent", "申请执行人同意"),
        Performed = ("performed", "义务已全部履行"),
        ListingEnded = ("listing_ended", "失信名单已移除"),
        SubjectRemoved = ("subject_removed", "原法定代表人已变更且非实际控制人"),
        PeriodEnded = ("period_ended", "限制消费期间届满"),
    }
}

/// R6: an order in force through `valid_until` (CST) has ended on a later `today`; an order
/// without an end (or bound to a listing) never ends by itself.
pub fn period_ended(valid_until: Option<chrono::NaiveDate>, today: chrono::NaiveDate) -> bool {
    valid_until.is_some_and(|last| last < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r2_twelve_item_codes_round_trip() {
        assert_eq!(RestrictionItem::ALL.len(), 12);
        for i in RestrictionItem::ALL {
            assert_eq!(RestrictionItem::parse(i.code()).unwrap(), i);
            assert_eq!(serde_json::to_value(i).unwrap(), i.code());
        }
        assert_eq!(RestrictionItem::GTrainAnySeat.code(), "g_train_any_seat");
        assert_eq!(
            RestrictionItem::parse("yacht").unwrap_err().code,
            "invalid_value"
        );
    }

    #[test]
    fn s5_sector_items() {
        use RestrictionItem as I;
        assert_eq!(Sector::Airline.items(), &[I::AirTravel]);
        assert_eq!(
            Sector::Rail.items(),
            &[
                I::TrainSoftSleeper,
                I::GTrainAnySeat,
                I::EmuFirstClassOrAbove
            ]
        );
        assert_eq!(Sector::Shipping.items(), &[I::ShipSecondClassOrAbove]);
        assert_eq!(
            Sector::Hospitality.items(),
            &[I::LuxuryVenues, I::TravelVacation]
        );
        assert_eq!(Sector::RealEstate.items(), &[I::RealEstate, I::OfficeLease]);
        assert_eq!(
            Sector::Finance.items(),
            &[I::HighPremiumInsurance, I::VehiclePurchase]
        );
        assert_eq!(Sector::Education.items(), &[I::PrivateSchool]);
        assert_eq!(Sector::Government.items(), &I::ALL);
        // L15 (b): credit reference agencies see every item; (c)/(d) notice recipients none.
        assert_eq!(Sector::CreditReference.items(), &I::ALL);
        assert!(Sector::NoticeRecipient.items().is_empty());
        assert!(Sector::NoticeRecipient.is_notice_recipient());
        assert!(Sector::CreditReference.receives_notices() && !Sector::Finance.receives_notices());
        assert!(Sector::Rail.sees(I::GTrainAnySeat) && !Sector::Rail.sees(I::AirTravel));
        // Every item is seen by exactly one enforcing sector besides government and the agencies.
        for item in I::ALL {
            let n = Sector::ALL.iter().filter(|s| s.sees(item)).count();
            assert_eq!(n, 3, "{item}");
        }
        assert_eq!(Sector::parse("real_estate").unwrap(), Sector::RealEstate);
        assert_eq!(Sector::parse("bank").unwrap_err().code, "invalid_value");
    }

    #[test]
    fn r3_associated_roles_exclude_debtor() {
        assert_eq!(SubjectRole::parse("debtor").unwrap(), SubjectRole::Debtor);
        assert_eq!(
            SubjectRole::parse_associated("debtor").unwrap_err().code,
            "invalid_value"
        );
        assert_eq!(
            SubjectRole::parse_associated("spouse").unwrap_err().code,
            "invalid_value"
        );
        for code in [
            "legal_representative",
            "principal",
            "directly_responsible",
            "actual_controller",
        ] {
            assert_eq!(SubjectRole::parse_associated(code).unwrap().code(), code);
        }
    }

    #[test]
    fn r4_r5_reason_codes() {
        let codes: Vec<_> = ReleaseReason::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(
            codes,
            [
                "private_funds",
                "necessity",
                "medical",
                "funeral",
                "official_duty",
                "foreign_affairs",
                "exam"
            ]
        );
        let codes: Vec<_> = LiftReason::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(
            codes,
            [
                "security_provided",
                "creditor_consent",
                "performed",
                "listing_ended",
                "subject_removed",
                "period_ended"
            ]
        );
        let r: LiftReason = serde_json::from_str("\"listing_ended\"").unwrap();
        assert_eq!(r, LiftReason::ListingEnded);
        assert!(serde_json::from_str::<ReleaseReason>("\"holiday\"").is_err());
    }
}
