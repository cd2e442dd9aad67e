//! Times stored as epoch numbers: what `#[dynamo(created_at)]`, `#[dynamo(updated_at)]`
//! and `#[dynamo(ttl)]` fields hold.
//!
//! Such a field may be an `i64` or `u64` (the epoch number itself), a
//! [`std::time::SystemTime`], and with the `chrono` feature a `chrono::DateTime<Utc>`,
//! with the `time` feature a `time::OffsetDateTime`; or an `Option` of any of them. It is
//! stored as a number of seconds (or milliseconds, `created_at = "millis"`) since the
//! Unix epoch, as DynamoDB's TTL reads it; precision below that unit is dropped (the
//! time is rounded down), so a put returns the time as stored.
//!
//! ```
//! use std::time::{Duration, SystemTime, UNIX_EPOCH};
//! use dynamo_model::time::EpochTime;
//! use dynamo_model::{AttributeValue, TimeUnit};
//!
//! let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
//! assert_eq!(at.__to_epoch(TimeUnit::Seconds)?, Some(AttributeValue::N("1700000000".into())));
//! assert_eq!(at.__to_epoch(TimeUnit::Millis)?, Some(AttributeValue::N("1700000000123".into())));
//! let read = SystemTime::__from_epoch(Some(AttributeValue::N("1700000000".into())), TimeUnit::Seconds).unwrap();
//! assert_eq!(read, UNIX_EPOCH + Duration::from_secs(1_700_000_000));
//! # Ok::<(), dynamo_model::EncodeError>(())
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{DecodeError, EncodeError, InvalidReason};
use crate::schema::TimeUnit;

/// A time a lifecycle field can hold, stored as an epoch number in a [`TimeUnit`].
/// Implemented for `i64`, `u64`, `SystemTime`, `chrono::DateTime<Utc>` (feature
/// `chrono`), `time::OffsetDateTime` (feature `time`) and `Option`s of them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a timestamp",
    label = "a timestamp or TTL field needs a time type",
    note = "use i64, u64, std::time::SystemTime, chrono::DateTime<Utc> (feature `chrono`) or time::OffsetDateTime (feature `time`), or an Option of one"
)]
pub trait EpochTime: Sized {
    /// The time as an epoch number; `None` for no time (`Option::None`).
    #[doc(hidden)]
    fn __to_epoch(&self, unit: TimeUnit) -> Result<Option<AttributeValue>, EncodeError>;

    /// The time as an exact epoch number, with the fraction of `unit` the stored form
    /// drops: what a comparison with a stored time needs (`stored < 10.5` is not
    /// `stored < 10`).
    #[doc(hidden)]
    fn __to_epoch_exact(&self, unit: TimeUnit) -> Result<Option<AttributeValue>, EncodeError> {
        self.__to_epoch(unit)
    }

    /// The time from an epoch number, or from its absence.
    #[doc(hidden)]
    fn __from_epoch(value: Option<AttributeValue>, unit: TimeUnit) -> Result<Self, DecodeError>;
}

fn number(n: i128) -> Option<AttributeValue> {
    Some(AttributeValue::N(itoa::Buffer::new().format(n).to_owned()))
}

/// `nanos` since the epoch in `unit`, exactly: `1.5` for 1,500,000,000 ns in seconds.
fn exact(nanos: i128, unit: TimeUnit) -> Option<AttributeValue> {
    let per = nanos_per(unit);
    let (whole, fraction) = (nanos.unsigned_abs() / per.unsigned_abs(), nanos.unsigned_abs() % per.unsigned_abs());
    if fraction == 0 {
        return number(nanos / per);
    }
    let digits = if unit == TimeUnit::Seconds { 9 } else { 6 };
    let fraction = format!("{fraction:0digits$}");
    let sign = if nanos < 0 { "-" } else { "" };
    Some(AttributeValue::N(format!("{sign}{whole}.{}", fraction.trim_end_matches('0'))))
}

/// A `SystemTime` in nanoseconds since the epoch (negative before it).
fn system_nanos(time: &SystemTime) -> Result<i128, EncodeError> {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()),
        Err(before) => i128::try_from(before.duration().as_nanos()).map(|n| -n),
    }
    .map_err(|_| EncodeError::new(InvalidReason::Custom("time out of range".into())))
}

/// The epoch number an attribute holds: an integer, or a number with a fraction (what
/// other writers may store), rounded down.
fn epoch_number(value: Option<AttributeValue>, expected: &'static str) -> Result<i128, DecodeError> {
    let text = match value {
        Some(AttributeValue::N(text)) => text,
        Some(other) => return Err(DecodeError::new(expected, crate::value::describe(&other))),
        None => return Err(DecodeError::missing(expected)),
    };
    if let Ok(n) = text.parse::<i128>() {
        return Ok(n);
    }
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() && n.abs() < 1e30 => Ok(n.floor() as i128),
        _ => Err(DecodeError::new(expected, format!("N {text}"))),
    }
}

/// Nanoseconds per unit.
fn nanos_per(unit: TimeUnit) -> i128 {
    match unit {
        TimeUnit::Seconds => 1_000_000_000,
        TimeUnit::Millis => 1_000_000,
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl EpochTime for $t {
            fn __to_epoch(&self, _: TimeUnit) -> Result<Option<AttributeValue>, EncodeError> {
                Ok(number(i128::from(*self)))
            }

            fn __from_epoch(value: Option<AttributeValue>, _: TimeUnit) -> Result<Self, DecodeError> {
                const EXPECTED: &str = concat!("epoch time in the range of ", stringify!($t));
                let n = epoch_number(value, EXPECTED)?;
                <$t>::try_from(n).map_err(|_| DecodeError::new(EXPECTED, format!("N {n}")))
            }
        }
    )*};
}
integers!(i64, u64);

impl EpochTime for SystemTime {
    fn __to_epoch(&self, unit: TimeUnit) -> Result<Option<AttributeValue>, EncodeError> {
        Ok(number(system_nanos(self)?.div_euclid(nanos_per(unit))))
    }

    fn __to_epoch_exact(&self, unit: TimeUnit) -> Result<Option<AttributeValue>, EncodeError> {
        Ok(exact(system_nanos(self)?, unit))
    }

    fn __from_epoch(value: Option<AttributeValue>, unit: TimeUnit) -> Result<Self, DecodeError> {
        const EXPECTED: &str = "epoch time";
        let n = epoch_number(value, EXPECTED)?;
        let out_of_range = || DecodeError::new(EXPECTED, format!("N {n} (out of range)"));
        let nanos = n.checked_mul(nanos_per(unit)).ok_or_else(out_of_range)?.unsigned_abs();
        let seconds = u64::try_from(nanos / 1_000_000_000).map_err(|_| out_of_range())?;
        // The remainder of a division by 10^9 fits a u32.
        let duration = Duration::new(seconds, (nanos % 1_000_000_000) as u32);
        if n >= 0 { UNIX_EPOCH.checked_add(duration) } else { UNIX_EPOCH.checked_sub(duration) }
            .ok_or_else(out_of_range)
    }
}

impl<T: EpochTime> EpochTime for Option<T> {
    fn __to_epoch(&self, unit: TimeUnit) -> Result<Option<AttributeValue>, EncodeError> {
        match self {
            Some(time) => time.__to_epoch(unit),
            None => Ok(None),
        }
    }

    fn __to_epoch_exact(&self, unit: TimeUnit) -> Result<Option<AttributeValue>, EncodeError> {
        match self {
            Some(time) => time.__to_epoch_exact(unit),
            None => Ok(None),
        }
    }

    fn __from_epoch(value: Option<AttributeValue>, unit: TimeUnit) -> Result<Self, DecodeError> {
        match value {
            None | Some(AttributeValue::Null(_)) => Ok(None),
            value => T::__from_epoch(value, unit).map(Some),
        }
    }
}

#[cfg(feature = "chrono")]
#[cfg_attr(docsrs, doc(cfg(feature = "chrono")))]
impl EpochTime for chrono::DateTime<chrono::Utc> {
    fn __to_epoch(&self, unit: TimeUnit) -> Result<Option<AttributeValue>, EncodeError> {
        Ok(number(match unit {
            TimeUnit::Seconds => i128::from(self.timestamp()),
            TimeUnit::Millis => i128::from(self.timestamp_millis()),
        }))
    }

    fn __to_epoch_exact(&self, unit: TimeUnit) -> Result<Option<AttributeValue>, EncodeError> {
        let nanos = i128::from(self.timestamp()) * 1_000_000_000 + i128::from(self.timestamp_subsec_nanos());
        Ok(exact(nanos, unit))
    }

    fn __from_epoch(value: Option<AttributeValue>, unit: TimeUnit) -> Result<Self, DecodeError> {
        const EXPECTED: &str = "epoch time in the range of chrono::DateTime";
        let n = epoch_number(value, EXPECTED)?;
        let out_of_range = || DecodeError::new(EXPECTED, format!("N {n}"));
        let n = i64::try_from(n).map_err(|_| out_of_range())?;
        match unit {
            TimeUnit::Seconds => chrono::DateTime::from_timestamp(n, 0),
            TimeUnit::Millis => chrono::DateTime::from_timestamp_millis(n),
        }
        .ok_or_else(out_of_range)
    }
}

#[cfg(feature = "time")]
#[cfg_attr(docsrs, doc(cfg(feature = "time")))]
impl EpochTime for time::OffsetDateTime {
    fn __to_epoch(&self, unit: TimeUnit) -> Result<Option<AttributeValue>, EncodeError> {
        Ok(number(self.unix_timestamp_nanos().div_euclid(nanos_per(unit))))
    }

    fn __to_epoch_exact(&self, unit: TimeUnit) -> Result<Option<AttributeValue>, EncodeError> {
        Ok(exact(self.unix_timestamp_nanos(), unit))
    }

    fn __from_epoch(value: Option<AttributeValue>, unit: TimeUnit) -> Result<Self, DecodeError> {
        const EXPECTED: &str = "epoch time in the range of time::OffsetDateTime";
        let n = epoch_number(value, EXPECTED)?;
        let out_of_range = || DecodeError::new(EXPECTED, format!("N {n}"));
        let nanos = n.checked_mul(nanos_per(unit)).ok_or_else(out_of_range)?;
        time::OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| out_of_range())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_at_their_unit() {
        let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_999);
        for unit in [TimeUnit::Seconds, TimeUnit::Millis] {
            let stored = at.__to_epoch(unit).unwrap();
            let read = SystemTime::__from_epoch(stored.clone(), unit).unwrap();
            assert!(read <= at && at.duration_since(read).unwrap() < Duration::from_secs(1));
            assert_eq!(read.__to_epoch(unit).unwrap(), stored, "stored again, it is the same number");
        }
        let before = UNIX_EPOCH - Duration::from_millis(1500);
        assert_eq!(before.__to_epoch(TimeUnit::Seconds).unwrap(), number(-2), "rounded down");
        assert_eq!(
            SystemTime::__from_epoch(number(-2), TimeUnit::Seconds).unwrap(),
            UNIX_EPOCH - Duration::from_secs(2)
        );
    }

    #[test]
    fn bad_numbers_are_decode_errors_not_panics() {
        for text in ["abc", "1e400", "-1e400", "NaN", "99999999999999999999999999999999999999"] {
            let value = Some(AttributeValue::N(text.into()));
            assert!(SystemTime::__from_epoch(value.clone(), TimeUnit::Millis).is_err(), "{text}");
            let _ = u64::__from_epoch(value, TimeUnit::Seconds);
        }
        assert!(SystemTime::__from_epoch(None, TimeUnit::Seconds).is_err());
        assert_eq!(Option::<SystemTime>::__from_epoch(None, TimeUnit::Seconds).unwrap(), None);
        assert_eq!(i64::__from_epoch(Some(AttributeValue::N("12.9".into())), TimeUnit::Seconds).unwrap(), 12);
        assert!(u64::__from_epoch(Some(AttributeValue::N("-1".into())), TimeUnit::Seconds).is_err());
    }
}
