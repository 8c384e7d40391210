//! The one mapping of the domain's closed vocabularies (states, kinds, reasons) to their `text`
//! columns, for diesel and for the tokio-postgres hot paths: a value is written as its code and read
//! back with the type's `parse`. A stored value that does not parse is an error of the read (never
//! skipped, never a default).

use diesel::{
    deserialize::{self, FromSql, Queryable},
    dsl::AsExprOf,
    expression::AsExpression,
    pg::{Pg, PgValue},
    serialize::{self, IsNull, Output, ToSql},
    sql_types::{Nullable, Text},
};

use crate::domain::{
    correction::{CorrectionGround, CorrectionStatus, ServiceMethod},
    credit_repair::CreditRepairStatus,
    grounds::Ground,
    listing_rules::{InitiatedBy, ListingStatus, Performance},
    restriction::{ReleaseReason, SubjectRole},
    status::{DeliveryStatus, DisabledReason, PartyKind, ReleaseStatus, RestrictionStatus},
};

/// Maps each type (with `code()` and `parse()`, as `code_enum!` gives them) to `text`: diesel's
/// `ToSql`/`FromSql`, `AsExpression` (owned and borrowed, nullable or not: what
/// `#[derive(AsExpression)]` gives) and `Queryable` (what `#[derive(FromSqlRow)]` gives), and
/// tokio-postgres' `FromSql`. The expression binds the code, a `&'static str`.
macro_rules! text_mapping {
    ($($ty:ty),+ $(,)?) => {$(
        impl ToSql<Text, Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                std::io::Write::write_all(out, self.code().as_bytes())?;
                Ok(IsNull::No)
            }
        }

        impl FromSql<Text, Pg> for $ty {
            fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
                Ok(<$ty>::parse(std::str::from_utf8(value.as_bytes())?)?)
            }
        }

        impl Queryable<Text, Pg> for $ty {
            type Row = Self;

            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }

        impl AsExpression<Text> for $ty {
            type Expression = AsExprOf<&'static str, Text>;

            fn as_expression(self) -> Self::Expression {
                AsExpression::<Text>::as_expression(self.code())
            }
        }

        impl AsExpression<Text> for &$ty {
            type Expression = AsExprOf<&'static str, Text>;

            fn as_expression(self) -> Self::Expression {
                AsExpression::<Text>::as_expression(self.code())
            }
        }

        impl AsExpression<Nullable<Text>> for $ty {
            type Expression = AsExprOf<&'static str, Nullable<Text>>;

            fn as_expression(self) -> Self::Expression {
                AsExpression::<Nullable<Text>>::as_expression(self.code())
            }
        }

        impl AsExpression<Nullable<Text>> for &$ty {
            type Expression = AsExprOf<&'static str, Nullable<Text>>;

            fn as_expression(self) -> Self::Expression {
                AsExpression::<Nullable<Text>>::as_expression(self.code())
            }
        }

        impl<'a> tokio_postgres::types::FromSql<'a> for $ty {
            fn from_sql(
                ty: &tokio_postgres::types::Type,
                raw: &'a [u8],
            ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
                let code = <&str as tokio_postgres::types::FromSql>::from_sql(ty, raw)?;
                Ok(<$ty>::parse(code)?)
            }

            fn accepts(ty: &tokio_postgres::types::Type) -> bool {
                <&str as tokio_postgres::types::FromSql>::accepts(ty)
            }
        }
    )+};
}

text_mapping!(
    ListingStatus,
    PartyKind,
    Performance,
    Ground,
    InitiatedBy,
    RestrictionStatus,
    SubjectRole,
    ReleaseStatus,
    ReleaseReason,
    DeliveryStatus,
    DisabledReason,
    CorrectionGround,
    CorrectionStatus,
    ServiceMethod,
    CreditRepairStatus,
);
