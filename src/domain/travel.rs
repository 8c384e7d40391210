//! The travel decision table of docs/LAW.md R2: which restricted item a journey touches.
//! A flight touches `air_travel` in any cabin; a G train `g_train_any_seat` in any seat; another EMU
//! train (D, C, S) `emu_first_class_or_above` for business, first and premium seats only; a
//! conventional train (Z, T, K, Y, L and plain numbers) `train_soft_sleeper` for soft and deluxe soft
//! sleepers only.

use super::{DomainError, restriction::RestrictionItem};
use crate::domain::ErrorCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeatClass {
    Business,
    First,
    Premium,
    Second,
    SoftSleeper,
    DeluxeSoftSleeper,
    HardSleeper,
    HardSeat,
    NoSeat,
}

impl SeatClass {
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Ok(match s.trim() {
            "business" => SeatClass::Business,
            "first" => SeatClass::First,
            "premium" => SeatClass::Premium,
            "second" => SeatClass::Second,
            "soft_sleeper" => SeatClass::SoftSleeper,
            "deluxe_soft_sleeper" => SeatClass::DeluxeSoftSleeper,
            "hard_sleeper" => SeatClass::HardSleeper,
            "hard_seat" => SeatClass::HardSeat,
            "no_seat" => SeatClass::NoSeat,
            other => {
                return Err(DomainError::new(
                    ErrorCode::InvalidValue,
                    format!("unknown seat class {other:?}"),
                ));
            }
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainKind {
    /// G-prefixed EMU.
    HighSpeed,
    /// D, C, S and other EMU services.
    OtherEmu,
    /// Z, T, K, Y, L and numeric trains.
    Conventional,
}

impl TrainKind {
    /// From a train number such as `G1234`, `D301`, `K1155` or `6063`.
    pub fn of_train(train: &str) -> Result<Self, DomainError> {
        let t = train.trim().to_ascii_uppercase();
        let bad = || {
            DomainError::new(
                ErrorCode::InvalidValue,
                "a train number is a letter G, D, C, S, Z, T, K, Y or L, or digits, followed by digits",
            )
        };
        let mut chars = t.chars();
        let first = chars.next().ok_or_else(bad)?;
        let rest: String = chars.collect();
        if !rest.chars().all(|c| c.is_ascii_digit())
            || (first.is_ascii_alphabetic() && rest.is_empty())
        {
            return Err(bad());
        }
        Ok(match first {
            'G' => TrainKind::HighSpeed,
            'D' | 'C' | 'S' => TrainKind::OtherEmu,
            'Z' | 'T' | 'K' | 'Y' | 'L' => TrainKind::Conventional,
            c if c.is_ascii_digit() => TrainKind::Conventional,
            _ => return Err(bad()),
        })
    }
}

/// A journey a carrier asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Journey {
    Air,
    Rail(TrainKind, SeatClass),
}

impl Journey {
    /// The restricted item this journey touches, or `None` when no restriction applies to it
    /// (e.g. a second-class seat on a D train).
    pub fn item(&self) -> Option<RestrictionItem> {
        use SeatClass as S;
        match self {
            Journey::Air => Some(RestrictionItem::AirTravel),
            Journey::Rail(TrainKind::HighSpeed, _) => Some(RestrictionItem::GTrainAnySeat),
            Journey::Rail(TrainKind::OtherEmu, S::Business | S::First | S::Premium) => {
                Some(RestrictionItem::EmuFirstClassOrAbove)
            }
            Journey::Rail(TrainKind::Conventional, S::SoftSleeper | S::DeluxeSoftSleeper) => {
                Some(RestrictionItem::TrainSoftSleeper)
            }
            Journey::Rail(_, _) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rail(train: &str, seat: &str) -> Option<RestrictionItem> {
        Journey::Rail(
            TrainKind::of_train(train).unwrap(),
            SeatClass::parse(seat).unwrap(),
        )
        .item()
    }

    #[test]
    fn r2_g_train_every_seat_is_restricted() {
        for seat in ["business", "first", "second", "no_seat"] {
            assert_eq!(rail("G1234", seat), Some(RestrictionItem::GTrainAnySeat));
        }
    }

    #[test]
    fn r2_other_emu_restricts_first_class_and_above_only() {
        assert_eq!(
            rail("D301", "first"),
            Some(RestrictionItem::EmuFirstClassOrAbove)
        );
        assert_eq!(
            rail("C2001", "business"),
            Some(RestrictionItem::EmuFirstClassOrAbove)
        );
        assert_eq!(
            rail("S5", "premium"),
            Some(RestrictionItem::EmuFirstClassOrAbove)
        );
        assert_eq!(rail("D301", "second"), None);
    }

    #[test]
    fn r2_conventional_trains_restrict_soft_sleepers_only() {
        assert_eq!(
            rail("K1155", "soft_sleeper"),
            Some(RestrictionItem::TrainSoftSleeper)
        );
        assert_eq!(
            rail("Z1", "deluxe_soft_sleeper"),
            Some(RestrictionItem::TrainSoftSleeper)
        );
        assert_eq!(rail("T8", "hard_sleeper"), None);
        assert_eq!(rail("6063", "hard_seat"), None);
    }

    #[test]
    fn r2_flights_restrict_every_cabin() {
        assert_eq!(Journey::Air.item(), Some(RestrictionItem::AirTravel));
    }

    #[test]
    fn unknown_trains_and_seats_are_refused() {
        assert!(TrainKind::of_train("X12").is_err());
        assert!(TrainKind::of_train("G").is_err());
        assert!(TrainKind::of_train("G12a").is_err());
        assert!(SeatClass::parse("cabin").is_err());
    }
}
