//! DynamoDB's 400 KB item-size limit, counted exactly as DynamoDB counts it.
//!
//! DynamoDB rejects a write whose item is larger than [`MAX_ITEM_SIZE`] bytes, after a
//! round trip. [`item_size`] gives the same count on the client, so a model can refuse
//! an oversized item before sending anything:
//!
//! | value | bytes |
//! |---|---|
//! | attribute name, map key | UTF-8 bytes |
//! | `S` | UTF-8 bytes (0 when empty) |
//! | `B` | raw bytes (not base64) |
//! | `N` | 1 for zero; else 1 + one byte per pair of decimal digits aligned on the decimal point, + 1 if negative (see [`attribute_size`]) |
//! | `BOOL`, `NULL` | 1 |
//! | `L` | 3 + for each element 1 + its size |
//! | `M` | 3 + for each entry 1 + key bytes + value size |
//! | `SS`, `NS`, `BS` | sum of the members' sizes, nothing more |
//!
//! The item's size is the sum over its attributes of name bytes + value size, keys
//! included, with nothing per item or per attribute on top.
//!
//! ```
//! use std::collections::HashMap;
//! use dynamo_model::limits::{item_size, MAX_ITEM_SIZE};
//! use dynamo_model::AttributeValue;
//!
//! let item = HashMap::from([
//!     ("pk".to_owned(), AttributeValue::S("user#1".into())), // 2 + 6
//!     ("age".to_owned(), AttributeValue::N("42".into())),    // 3 + 2
//! ]);
//! assert_eq!(item_size(&item), 13);
//! assert!(item_size(&item) <= MAX_ITEM_SIZE);
//! ```
//
// How this was established: every rule above was measured against DynamoDB Local 3.3.0
// (which enforces the limit with the service's code), by binary-searching the length of a
// padding string at which an item holding the probed value is still accepted; the
// difference from the padding an item without it takes is the value's size. Exactly
// 409,600 bytes is accepted, 409,601 rejected. The probe covered ~400 numbers one by one
// (every digit count 1–38, exponents to ±130, signs, leading/trailing zeros, `+1`, `.5`,
// `5.`, `1e+5`) and 3,000 in one set; lists and maps nested 31 deep and with 5,000
// elements; 300- and 100,000-byte members; and 1- to 4-byte UTF-8 characters in names,
// keys, strings and set members.
// `tests/integration/limits.rs` re-checks each kind at the boundary against the server.

use crate::{AttributeValue, Item};

/// DynamoDB's largest item: 400 KB, that is 409,600 bytes as [`item_size`] counts them.
///
/// ```
/// assert_eq!(dynamo_model::limits::MAX_ITEM_SIZE, 400 * 1024);
/// ```
pub const MAX_ITEM_SIZE: usize = 409_600;

/// The bytes a value adds to an item, as DynamoDB counts them (its name not included).
///
/// Strings count their UTF-8 bytes and binaries their raw bytes; booleans and nulls 1;
/// a list or map 3 plus, per element, 1 and the element's size (and a map entry's key
/// bytes); a set the sum of its members' sizes.
///
/// A number counts 1 byte when it is zero. Otherwise its significant digits, aligned on
/// the decimal point, are cut into pairs (`123.45` is `1|23|.45`, `1.5` is `1|.50`,
/// `1000` is `10|00`), and it counts 1 byte per pair from the first pair with a
/// significant digit to the last, plus 1, plus 1 more if it is negative and holds fewer
/// than 20 pairs. The sign and any leading or trailing zeros of the text do not count.
/// Text that is no number gets a size all the same; DynamoDB rejects it anyway.
///
/// ```
/// use dynamo_model::limits::attribute_size;
/// use dynamo_model::AttributeValue;
///
/// assert_eq!(attribute_size(&AttributeValue::S("héllo".into())), 6);
/// assert_eq!(attribute_size(&AttributeValue::N("1000".into())), 2);
/// assert_eq!(attribute_size(&AttributeValue::N("-123.45".into())), 5);
/// let list = AttributeValue::L(vec![AttributeValue::Bool(true), AttributeValue::S("ab".into())]);
/// assert_eq!(attribute_size(&list), 3 + (1 + 1) + (1 + 2));
/// ```
pub fn attribute_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => number_size(n),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        // Measured: an empty list or map is 3 bytes, each element 1 byte more than
        // itself, at every depth; the overhead does not grow with the element count
        // (5,000 elements) nor with the element size (200,000 bytes).
        AttributeValue::L(list) => CONTAINER + list.iter().map(|v| ELEMENT + attribute_size(v)).sum::<usize>(),
        AttributeValue::M(map) => {
            CONTAINER + map.iter().map(|(k, v)| ELEMENT + k.len() + attribute_size(v)).sum::<usize>()
        }
        // Measured: unlike lists, sets carry no overhead, neither per set nor per member.
        AttributeValue::Ss(set) => set.iter().map(String::len).sum(),
        AttributeValue::Ns(set) => set.iter().map(|n| number_size(n)).sum(),
        AttributeValue::Bs(set) => set.iter().map(|b| b.as_ref().len()).sum(),
        // `Unknown` (a type newer than the SDK) cannot be sent, so it adds nothing.
        _ => 0,
    }
}

/// The size of an item as DynamoDB counts it against [`MAX_ITEM_SIZE`]: for every
/// attribute, its name's UTF-8 bytes plus [`attribute_size`] of its value.
///
/// ```
/// use std::collections::HashMap;
/// use dynamo_model::limits::item_size;
/// use dynamo_model::AttributeValue;
///
/// let item = HashMap::from([
///     ("id".to_owned(), AttributeValue::S("a1".into())), // 2 + 2
///     ("tags".to_owned(), AttributeValue::Ss(vec!["x".into(), "yz".into()])), // 4 + 3
///     ("price".to_owned(), AttributeValue::N("12.5".into())), // 5 + 3
/// ]);
/// assert_eq!(item_size(&item), 19);
/// ```
pub fn item_size(item: &Item) -> usize {
    item.iter().map(|(name, value)| name.len() + attribute_size(value)).sum()
}

/// How many lists and maps may nest inside one another in an attribute value: DynamoDB
/// Local accepts 31 (the attribute itself being the 32nd level DynamoDB documents) and
/// rejects 32.
pub const MAX_NESTING: usize = 31;

/// How deeply lists and maps nest in a value: 0 for a scalar or a set, 1 for a list or
/// map of scalars.
///
/// ```
/// use dynamo_model::limits::nesting;
/// use dynamo_model::AttributeValue;
///
/// let list = AttributeValue::L(vec![AttributeValue::L(vec![]), AttributeValue::N("1".into())]);
/// assert_eq!(nesting(&list), 2);
/// ```
pub fn nesting(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::L(list) => 1 + list.iter().map(nesting).max().unwrap_or(0),
        AttributeValue::M(map) => 1 + map.values().map(nesting).max().unwrap_or(0),
        _ => 0,
    }
}

/// A number as DynamoDB reads it: its sign, its significant digits (no leading or
/// trailing zeros) and the power of ten of the first of them, the value being
/// `±0.d1d2… × 10^power`. Every spelling of one value gives the same `Number` (`1`,
/// `1.0`, `10e-1`, `+001`), which is how DynamoDB compares set members and keys.
/// Equality and order are by value.
#[derive(Debug, Clone)]
pub(crate) struct Number {
    negative: bool,
    digits: Vec<u8>,
    power: i64,
}

impl Number {
    /// Reads DynamoDB's number syntax: an optional sign, digits with at most one decimal
    /// point (at least one digit), and an optional exponent (`e` or `E`, an optional
    /// sign, digits). `None` for anything else: blanks, `NaN`, `Infinity`, hex.
    pub(crate) fn parse(text: &str) -> Option<Number> {
        let bytes = text.as_bytes();
        let (negative, mut i) = match bytes.first() {
            Some(b'-') => (true, 1),
            Some(b'+') => (false, 1),
            _ => (false, 0),
        };
        let mut digits = Vec::new();
        let mut point = None;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'0'..=b'9' => digits.push(b),
                b'.' if point.is_none() => point = Some(digits.len()),
                _ => break,
            }
            i += 1;
        }
        if digits.is_empty() {
            return None;
        }
        let exponent = match bytes.get(i) {
            None => 0,
            Some(b'e' | b'E') => {
                let rest = &bytes[i + 1..];
                let unsigned = rest.strip_prefix(b"-").or_else(|| rest.strip_prefix(b"+")).unwrap_or(rest);
                if unsigned.is_empty() || !unsigned.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                // DynamoDB reads the exponent as a 32-bit integer, even for zero.
                let exponent = parse_exponent(rest);
                if !(i64::from(i32::MIN)..=i64::from(i32::MAX)).contains(&exponent) {
                    return None;
                }
                exponent
            }
            Some(_) => return None,
        };
        let point = point.unwrap_or(digits.len()) as i64;
        let Some(first) = digits.iter().position(|&d| d != b'0') else {
            return Some(Number { negative: false, digits: Vec::new(), power: 0 });
        };
        let last = digits.iter().rposition(|&d| d != b'0').unwrap_or(first);
        Some(Number { negative, digits: digits[first..=last].to_vec(), power: point - first as i64 + exponent })
    }

    /// Whether DynamoDB can hold it: zero, or at most 38 significant digits and a
    /// magnitude from 1E-130 to 9.99…E+125.
    pub(crate) fn storable(&self) -> bool {
        self.digits.is_empty() || (self.digits.len() <= 38 && (-129..=126).contains(&self.power))
    }

    /// The text DynamoDB gives the number back as: plain decimal notation, no sign for
    /// positives, no leading or trailing zeros, no exponent (`+1.50` is `1.5`, `1e5` is
    /// `100000`, `-0` is `0`, `1e-7` is `0.0000001`).
    pub(crate) fn to_plain(&self) -> String {
        if self.digits.is_empty() {
            return "0".to_owned();
        }
        // Only storable numbers come here (|power| of at most 130); the cap keeps any
        // other from reserving more than it needs at first.
        let mut out = String::with_capacity(self.digits.len() + self.power.unsigned_abs().min(256) as usize + 3);
        if self.negative {
            out.push('-');
        }
        let digits = |range: &[u8], out: &mut String| range.iter().for_each(|&d| out.push(char::from(d)));
        let len = self.digits.len() as i64;
        if self.power <= 0 {
            out.push_str("0.");
            (0..-self.power).for_each(|_| out.push('0'));
            digits(&self.digits, &mut out);
        } else if self.power >= len {
            digits(&self.digits, &mut out);
            (0..self.power - len).for_each(|_| out.push('0'));
        } else {
            let (whole, fraction) = self.digits.split_at(self.power as usize);
            digits(whole, &mut out);
            out.push('.');
            digits(fraction, &mut out);
        }
        out
    }

    /// Whether it is not zero but closer to zero than DynamoDB holds (below 1E-130).
    pub(crate) fn too_small(&self) -> bool {
        !self.digits.is_empty() && self.power < -129
    }

    /// Zero.
    pub(crate) fn zero() -> Number {
        Number { negative: false, digits: Vec::new(), power: 0 }
    }

    /// Whether it is below zero.
    pub(crate) fn is_negative(&self) -> bool {
        self.negative && !self.digits.is_empty()
    }

    /// The number with its sign flipped.
    pub(crate) fn negated(&self) -> Number {
        Number { negative: !self.negative && !self.digits.is_empty(), ..self.clone() }
    }

    /// The exact sum, as DynamoDB adds: in decimal, with no rounding.
    pub(crate) fn add(&self, other: &Number) -> Number {
        if self.digits.is_empty() {
            return other.clone();
        }
        if other.digits.is_empty() {
            return self.clone();
        }
        // Both as integers of digits times 10^exponent, on the smaller exponent.
        let exponent = |n: &Number| n.power - n.digits.len() as i64;
        let low = exponent(self).min(exponent(other));
        let scaled = |n: &Number| {
            let mut digits = n.digits.clone();
            digits.resize(digits.len() + (exponent(n) - low) as usize, b'0');
            digits
        };
        let (a, b) = (scaled(self), scaled(other));
        let (negative, magnitude) = if self.negative == other.negative {
            (self.negative, add_magnitudes(&a, &b))
        } else if compare_magnitudes(&a, &b).is_ge() {
            (self.negative, subtract_magnitudes(&a, &b))
        } else {
            (other.negative, subtract_magnitudes(&b, &a))
        };
        Number::from_magnitude(negative, magnitude, low)
    }

    /// `digits × 10^exponent`, normalised.
    fn from_magnitude(negative: bool, digits: Vec<u8>, exponent: i64) -> Number {
        let Some(first) = digits.iter().position(|&d| d != b'0') else {
            return Number::zero();
        };
        let last = digits.iter().rposition(|&d| d != b'0').unwrap_or(first);
        let power = digits.len() as i64 - first as i64 + exponent;
        Number { negative, digits: digits[first..=last].to_vec(), power }
    }

    /// Rounded to at most `significant` digits, towards +∞ when `up`, else towards −∞.
    pub(crate) fn round(&self, significant: usize, up: bool) -> Number {
        if self.digits.len() <= significant {
            return self.clone();
        }
        let mut kept = self.digits[..significant].to_vec();
        // Dropping digits moves towards zero; away from it is one more in the last place.
        if up != self.negative {
            let mut i = kept.len();
            loop {
                if i == 0 {
                    kept.insert(0, b'1');
                    break;
                }
                i -= 1;
                if kept[i] == b'9' {
                    kept[i] = b'0';
                } else {
                    kept[i] += 1;
                    break;
                }
            }
        }
        // `kept` holds the leading digits of the integer `digits × 10^(power - len)`.
        Number::from_magnitude(self.negative, kept, self.power - significant as i64)
    }

    /// Compares by value.
    pub(crate) fn compare(&self, other: &Number) -> std::cmp::Ordering {
        let sign = |n: &Number| {
            if n.digits.is_empty() {
                0
            } else if n.negative {
                -1
            } else {
                1
            }
        };
        let (a, b) = (sign(self), sign(other));
        if a != b || a == 0 {
            return a.cmp(&b);
        }
        // Same sign, both non-zero: the magnitude decides, reversed for negatives.
        let magnitude = self.power.cmp(&other.power).then_with(|| self.digits.cmp(&other.digits));
        if a < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        self.compare(other).is_eq()
    }
}

impl Eq for Number {}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> std::cmp::Ordering {
        self.compare(other)
    }
}

/// What an `L` or `M` costs beyond its elements.
const CONTAINER: usize = 3;
/// What each element of an `L` or entry of an `M` costs beyond its value (and key).
const ELEMENT: usize = 1;

/// DynamoDB stores a number the way Oracle stores NUMBER: base-100 digits (each pair
/// of decimal digits, aligned on the decimal point) after one sign-and-exponent byte,
/// with leading and trailing zero pairs dropped, and a terminator byte for negative
/// numbers unless the mantissa is at its longest (20 pairs, only reachable with 38
/// significant digits). The probe confirms each part: `100`, `1000`, `1e3` and `0.001`
/// are 2 bytes, `101` and `1.5` are 3, `-1` is 3, zero (`0`, `-0`, `0.000`, `0e5`) is
/// 1, and `-1234567890123456789012345678901234567.8` (20 pairs) is 21, as its positive
/// twin.
fn number_size(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut i = 0;
    let negative = match bytes.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    // Digit positions are counted from the first digit of the text; the power of ten of
    // the digit at position k is `point - 1 - k + exponent`.
    let mut digits: i64 = 0;
    let mut point: Option<i64> = None;
    let mut first_significant: Option<i64> = None;
    let mut last_significant: i64 = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0' => digits += 1,
            b'1'..=b'9' => {
                first_significant.get_or_insert(digits);
                last_significant = digits;
                digits += 1;
            }
            b'.' => point = Some(digits),
            _ => break,
        }
        i += 1;
    }
    let Some(first_significant) = first_significant else {
        return 1;
    };
    let exponent = match bytes.get(i) {
        Some(b'e' | b'E') => parse_exponent(&bytes[i + 1..]),
        _ => 0,
    };
    let point = point.unwrap_or(digits);
    let highest = point - 1 - first_significant + exponent;
    let lowest = point - 1 - last_significant + exponent;
    // `div_euclid` floors, so the pair of a digit below the point (negative power) is
    // found the same way as above it.
    let pairs = (highest.div_euclid(2) - lowest.div_euclid(2) + 1) as usize;
    1 + pairs + usize::from(negative && pairs < 20)
}

/// Two magnitudes (ASCII digits, most significant first) compared by value.
fn compare_magnitudes(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let trim = |digits: &[u8]| -> usize { digits.iter().position(|&d| d != b'0').unwrap_or(digits.len()) };
    let (a, b) = (&a[trim(a)..], &b[trim(b)..]);
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn add_magnitudes(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let (mut i, mut j, mut carry) = (a.len(), b.len(), 0);
    while i > 0 || j > 0 || carry > 0 {
        let mut sum = carry;
        if i > 0 {
            i -= 1;
            sum += a[i] - b'0';
        }
        if j > 0 {
            j -= 1;
            sum += b[j] - b'0';
        }
        out.push(b'0' + sum % 10);
        carry = sum / 10;
    }
    out.reverse();
    out
}

/// `a - b` for `a >= b`.
fn subtract_magnitudes(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let (mut i, mut j, mut borrow) = (a.len(), b.len(), 0i8);
    while i > 0 {
        i -= 1;
        let mut digit = (a[i] - b'0') as i8 - borrow;
        if j > 0 {
            j -= 1;
            digit -= (b[j] - b'0') as i8;
        }
        borrow = i8::from(digit < 0);
        out.push(b'0' + (digit + 10 * borrow) as u8);
    }
    out.reverse();
    out
}

/// The exponent after `e`, clamped far beyond DynamoDB's ±130 so that arithmetic on it
/// cannot overflow whatever the text holds.
fn parse_exponent(bytes: &[u8]) -> i64 {
    const CLAMP: i64 = 1 << 40;
    let (negative, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    let mut value: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            break;
        }
        value = (value * 10 + i64::from(b - b'0')).min(CLAMP);
    }
    if negative {
        -value
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use aws_sdk_dynamodb::primitives::Blob;

    use super::*;

    fn n(text: &str) -> usize {
        attribute_size(&AttributeValue::N(text.into()))
    }

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.into())
    }

    /// Sizes measured against DynamoDB Local (value size, name excluded).
    #[test]
    fn numbers_match_measurements() {
        let measured = [
            ("0", 1),
            ("-0", 1),
            ("0.0", 1),
            ("00000", 1),
            ("0e5", 1),
            ("+0", 1),
            ("1", 2),
            ("+1", 2),
            ("9", 2),
            ("10", 2),
            ("99", 2),
            ("100", 2),
            ("101", 3),
            ("1000", 2),
            ("1001", 3),
            ("123", 3),
            ("1234", 3),
            ("12345", 4),
            ("-1", 3),
            ("-12", 3),
            ("-123", 4),
            ("-100", 3),
            ("0.1", 2),
            ("0.01", 2),
            ("0.001", 2),
            ("0.10", 2),
            ("0.15", 2),
            ("0.015", 3),
            ("1.5", 3),
            ("1.05", 3),
            ("12.5", 3),
            ("1.25", 3),
            ("123.45", 4),
            ("1.2345", 4),
            ("-1.5", 4),
            ("-0.1", 3),
            ("00012.3400", 3),
            ("-00012.3400", 4),
            ("1.0", 2),
            ("10.0", 2),
            ("100.00100", 5),
            (".5", 2),
            ("5.", 2),
            ("-.5", 3),
            ("1e0", 2),
            ("1E5", 2),
            ("1e+5", 2),
            ("1.5e3", 2),
            ("1.5e4", 3),
            ("15e-1", 3),
            ("150e-2", 3),
            ("-1.5e-4", 4),
            ("1E-130", 2),
            ("5e-130", 2),
            ("-1e-130", 3),
            ("1E125", 2),
            ("9.99E+125", 3),
            ("12345678901234567890123456789012345678", 20),
            ("-12345678901234567890123456789012345678", 21),
            ("0.12345678901234567890123456789012345678", 20),
            ("1.2345678901234567890123456789012345678", 21),
            ("99999999999999999999999999999999999999", 20),
            ("10000000000000000000000000000000000000", 2),
            ("1000000000000000000000000000000000001", 20),
            ("9.9999999999999999999999999999999999999E+125", 20),
            ("0.9999999999999999999999999999999999999e-129", 20),
            // 20 pairs: the negative terminator is left out.
            ("-1.2345678901234567890123456789012345678", 21),
            ("-1234567890123456789012345678901234567.8", 21),
            ("-9.9999999999999999999999999999999999999E+125", 21),
            ("-13105351669348156758780368273084282381e-19", 21),
            // 19 pairs: it is not.
            ("-9876543210987654321098765432109876543", 21),
            ("-41582794019953055203409305652941307877e30", 21),
            ("-465124149306092634260842939784e33", 18),
        ];
        for (text, size) in measured {
            assert_eq!(n(text), size, "N {text}");
        }
    }

    /// The forms measured against DynamoDB Local (what a get returns after a put).
    #[test]
    fn numbers_come_back_in_plain_notation() {
        let plain = |text: &str| Number::parse(text).map(|n| n.to_plain());
        for (text, stored) in [
            ("1e100", format!("1{}", "0".repeat(100))),
            ("1e-7", "0.0000001".to_owned()),
            ("9.99e125", format!("999{}", "0".repeat(123))),
            ("1e-130", format!("0.{}1", "0".repeat(129))),
            (
                "12345678901234567890123456789012345678e10",
                "123456789012345678901234567890123456780000000000".to_owned(),
            ),
            ("1.0E+5", "100000".to_owned()),
            ("-0.0", "0".to_owned()),
            ("12.340", "12.34".to_owned()),
            ("+1.50", "1.5".to_owned()),
            ("00012.3400", "12.34".to_owned()),
            ("1.5e-3", "0.0015".to_owned()),
            ("-1e-5", "-0.00001".to_owned()),
            ("0.1e1", "1".to_owned()),
            ("5.", "5".to_owned()),
            ("-.5", "-0.5".to_owned()),
            ("0e5", "0".to_owned()),
            ("123.456e-10", "0.0000000123456".to_owned()),
            ("-1.5e30", format!("-15{}", "0".repeat(29))),
            ("100", "100".to_owned()),
        ] {
            assert_eq!(plain(text), Some(stored), "{text}");
        }
    }

    #[test]
    fn decimal_sums_are_exact_and_rounding_goes_the_way_asked() {
        let n = |text: &str| Number::parse(text).unwrap();
        let sum = |a: &str, b: &str| n(a).add(&n(b)).to_plain();
        assert_eq!(sum("1.1", "-0.37821"), "0.72179");
        assert_eq!(sum("0.72179", "0.37821"), "1.1");
        assert_eq!(sum("127", "-1"), "126");
        assert_eq!(sum("-128", "1"), "-127");
        assert_eq!(sum("5", "-5"), "0");
        assert_eq!(sum("-3", "-4.5"), "-7.5");
        assert_eq!(sum("999", "1"), "1000");
        assert_eq!(sum("1e125", "-1e-125"), format!("{}.{}", "9".repeat(125), "9".repeat(125)));
        assert_eq!(sum("0", "-2"), "-2");
        assert_eq!(n("-2").negated().to_plain(), "2");
        assert_eq!(n("0").negated().to_plain(), "0");
        let long = "1.23456789012345678901234567890123456789012";
        assert_eq!(n(long).round(38, false).to_plain(), "1.2345678901234567890123456789012345678");
        assert_eq!(n(long).round(38, true).to_plain(), "1.2345678901234567890123456789012345679");
        assert_eq!(n(&format!("-{long}")).round(38, true).to_plain(), "-1.2345678901234567890123456789012345678");
        assert_eq!(n(&format!("-{long}")).round(38, false).to_plain(), "-1.2345678901234567890123456789012345679");
        assert_eq!(n(&"9".repeat(40)).round(38, true).to_plain(), format!("1{}", "0".repeat(40)));
        assert_eq!(n("12.5").round(38, true).to_plain(), "12.5");
    }

    #[test]
    fn number_sizes_do_not_depend_on_spelling() {
        for (a, b) in [("12.34", "0001234e-2"), ("-5", "-50e-1"), ("1e10", "10000000000"), ("0.001", "1E-3")] {
            assert_eq!(n(a), n(b), "{a} vs {b}");
        }
    }

    #[test]
    fn text_that_is_no_number_does_not_panic() {
        for text in ["", "-", "+", ".", "e", "1e", "1e-", "abc", "1e999999999999999999999", "1e-99999999999999999999"] {
            let _ = n(text);
        }
        assert_eq!(n(""), 1);
    }

    #[test]
    fn scalars() {
        assert_eq!(attribute_size(&s("")), 0);
        assert_eq!(attribute_size(&s("abc")), 3);
        assert_eq!(attribute_size(&s("é€😀")), 2 + 3 + 4);
        assert_eq!(attribute_size(&AttributeValue::B(Blob::new(vec![0; 5]))), 5);
        assert_eq!(attribute_size(&AttributeValue::B(Blob::new(Vec::new()))), 0);
        assert_eq!(attribute_size(&AttributeValue::Bool(false)), 1);
        assert_eq!(attribute_size(&AttributeValue::Null(true)), 1);
    }

    /// Sizes measured against DynamoDB Local.
    #[test]
    fn containers_match_measurements() {
        let l = AttributeValue::L;
        let m = |entries: &[(&str, AttributeValue)]| {
            AttributeValue::M(entries.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect())
        };
        let measured = [
            (l(vec![]), 3),
            (l(vec![s("")]), 4),
            (l(vec![s("a")]), 5),
            (l(vec![s("a"), s("b")]), 7),
            (l(vec![s("abc"), s("de")]), 10),
            (l(vec![l(vec![])]), 7),
            (l(vec![l(vec![l(vec![])])]), 11),
            (l(vec![AttributeValue::N("123".into())]), 7),
            (l(vec![AttributeValue::N("-1".into())]), 7),
            (l(vec![m(&[])]), 7),
            (l(vec![AttributeValue::Ss(vec!["a".into()])]), 5),
            (l(vec![AttributeValue::Null(true); 5000]), 10_003),
            (m(&[]), 3),
            (m(&[("a", s(""))]), 5),
            (m(&[("a", s("b"))]), 6),
            (m(&[("ab", s("c"))]), 7),
            (m(&[("a", s("b")), ("c", s("d"))]), 9),
            (m(&[("é", s("x"))]), 7),
            (m(&[("😀", s("€"))]), 3 + 1 + 4 + 3),
            (m(&[("a", m(&[]))]), 8),
            (m(&[("a", m(&[("b", m(&[]))]))]), 13),
            (m(&[("a", l(vec![s("b")]))]), 10),
            (l(vec![m(&[("a", s("b"))])]), 10),
        ];
        for (value, size) in measured {
            assert_eq!(attribute_size(&value), size, "{value:?}");
        }
        let mut deep = AttributeValue::Null(true);
        for _ in 0..31 {
            deep = m(&[("a", deep)]);
        }
        assert_eq!(attribute_size(&deep), 155 + 1);
    }

    /// Sizes measured against DynamoDB Local.
    #[test]
    fn sets_are_the_sum_of_their_members() {
        let ss = |members: &[&str]| AttributeValue::Ss(members.iter().map(|&m| m.to_owned()).collect());
        let ns = |members: &[&str]| AttributeValue::Ns(members.iter().map(|&m| m.to_owned()).collect());
        let bs = |lens: &[usize]| AttributeValue::Bs(lens.iter().map(|&len| Blob::new(vec![7; len])).collect());
        assert_eq!(attribute_size(&ss(&["a"])), 1);
        assert_eq!(attribute_size(&ss(&["abc", "de"])), 5);
        assert_eq!(attribute_size(&ss(&["😀", "€"])), 7);
        assert_eq!(attribute_size(&ns(&["1", "2"])), 4);
        assert_eq!(attribute_size(&ns(&["0"])), 1);
        assert_eq!(attribute_size(&ns(&["1.5", "12345", "-0.01"])), 10);
        assert_eq!(attribute_size(&bs(&[5, 6, 7])), 18);
        let thousands: Vec<String> = (1..=3000).map(|i| i.to_string()).collect();
        assert_eq!(attribute_size(&AttributeValue::Ns(thousands)), 8871);
    }

    #[test]
    fn item_size_counts_names_and_values() {
        let item: Item = HashMap::from([
            ("pk".to_owned(), s("k")),
            ("p".to_owned(), s(&"a".repeat(409_596))),
            ("😀".to_owned(), AttributeValue::Bool(true)),
        ]);
        assert_eq!(item_size(&item), 3 + 409_597 + 5);
        assert_eq!(item_size(&Item::new()), 0);
    }
}
