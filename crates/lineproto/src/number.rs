//! Bare field values: numbers and booleans, recognised and converted in one pass.
//!
//! Our grammar of a bare value, as InfluxDB 2.x answers it. A value token runs from its
//! first byte up to the next `,`, space or the end of the field set.
//!
//! Numbers (the first byte is a digit, `.`, `-`, `N` or `n`):
//!
//! ```text
//! number := "-"? body
//! body   := { digit | "." | "e" | "E" | sign-after-exponent | suffix }
//! suffix := "i" | "u"          (once, not as the first byte of the token)
//! ```
//!
//! Rules, in the order they are checked (the first one that fails decides the error):
//! 1. a token that is only `-` is an `invalid number` just after the minus;
//! 2. reading left to right, the first byte that fits nowhere is an `invalid number` at
//!    that byte: a second `.`, a second suffix, `e`/`E`/`i`/`u` as the very first byte,
//!    `+`/`-` anywhere but right after `e`/`E`, any letter or symbol (so `NaN`, `Inf`,
//!    hex and stray quotes all stop here);
//! 3. at the token end: a suffix together with `.` or an exponent, or a token with no byte
//!    besides the minus, the point and an `i` suffix, is an `invalid number`;
//! 4. an integer must end in its `i`, an unsigned one in its `u` and carry no minus;
//! 5. finally the conversion: integers and unsigned integers out of range quote Go's
//!    `strconv` message (InfluxDB's text), floats that do not parse or are not finite are an
//!    `invalid float`. Errors of rules 3–5 are placed at the token end.
//!
//! Booleans (any other first byte except `"`): the token must be one of `t T true True
//! TRUE f F false False FALSE`; a first byte other than `t`/`f`/`T`/`F` is an
//! `invalid boolean` at that byte, any other misspelling one at the token end.

use std::borrow::Cow;

use crate::FieldValue;

pub(crate) const INVALID_NUMBER: &str = "invalid number";

/// An error at a byte position; the message is static unless it quotes the input.
pub(crate) type PErr = (usize, Cow<'static, str>);

#[inline]
fn err<T>(pos: usize, msg: &'static str) -> Result<T, PErr> {
    Err((pos, Cow::Borrowed(msg)))
}

/// Exact powers of ten representable in an f64 (Clinger's fast path).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Whether a value starting with `c` is read as a number (else a string or a boolean).
#[inline]
pub(crate) fn starts_number(c: u8) -> bool {
    matches!(c, b'0'..=b'9' | b'.' | b'-' | b'N' | b'n')
}

/// The kind a number token declared with its suffix.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Float,
    Int,
    Uint,
}

/// Reads the number token at `start` (`b[start]` satisfies [`starts_number`]; the byte
/// before it is the field's `=`) that ends at the first `,`/space or at `end`, and converts
/// it. Returns the value and the position just after the token.
#[inline]
pub(crate) fn number_value(
    b: &[u8],
    text: &str,
    start: usize,
    end: usize,
) -> Result<(FieldValue<'static>, usize), PErr> {
    let negative = b[start] == b'-';
    let body = start + usize::from(negative);
    if negative && body == end {
        return err(body, INVALID_NUMBER); // rule 1
    }
    let mut kind = Kind::Float;
    let mut point = false;
    let mut exponent = false;
    // Decimal digits seen, how many of them after the point, and their value (wrapping:
    // only trusted when `digits` is small enough).
    let mut digits: u32 = 0;
    let mut after_point: u32 = 0;
    let mut mantissa: u64 = 0;

    // Rule 2: one byte at a time.
    let mut k = body;
    while k < end {
        match b[k] {
            d @ b'0'..=b'9' => {
                mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
                digits += 1;
                after_point += u32::from(point);
            }
            b',' | b' ' => break,
            b'i' if k > start && kind == Kind::Float => kind = Kind::Int,
            b'u' if k > start && kind == Kind::Float => kind = Kind::Uint,
            b'.' if !point => point = true,
            b'e' | b'E' if k > start => exponent = true,
            b'+' | b'-' if k > start && matches!(b[k - 1], b'e' | b'E') => {}
            _ => return err(k, INVALID_NUMBER),
        }
        k += 1;
    }

    // Rule 3.
    if kind != Kind::Float && (point || exponent) {
        return err(k, INVALID_NUMBER);
    }
    let markers = usize::from(negative) + usize::from(point) + usize::from(kind == Kind::Int);
    if k - start == markers {
        return err(k, INVALID_NUMBER);
    }

    match kind {
        Kind::Int => {
            // Rule 4: the suffix closes the token.
            if b[k - 1] != b'i' {
                return err(k, INVALID_NUMBER);
            }
            let v = if digits <= 18 {
                let m = mantissa as i64;
                if negative {
                    -m
                } else {
                    m
                }
            } else {
                let s = &text[start..k - 1];
                s.parse::<i64>().map_err(|_| {
                    (
                        k,
                        Cow::Owned(format!(
                            "unable to parse integer {s}: strconv.ParseInt: parsing \"{s}\": value out of range"
                        )),
                    )
                })?
            };
            Ok((FieldValue::Integer(v), k))
        }
        Kind::Uint => {
            if b[k - 1] != b'u' || negative {
                return err(k, INVALID_NUMBER);
            }
            let v = if digits <= 19 {
                mantissa
            } else {
                let s = &text[start..k - 1];
                s.parse::<u64>().map_err(|_| {
                    (
                        k,
                        Cow::Owned(format!(
                            "unable to parse unsigned {s}: strconv.ParseUint: parsing \"{s}\": value out of range"
                        )),
                    )
                })?
            };
            Ok((FieldValue::UInteger(v), k))
        }
        Kind::Float => {
            let v = if !exponent && digits <= 15 && (after_point as usize) < POW10.len() {
                // Both operands are exact, so one correctly rounded division is exact-to-nearest.
                let m = mantissa as f64 / POW10[after_point as usize];
                if negative {
                    -m
                } else {
                    m
                }
            } else {
                match text[start..k].parse::<f64>() {
                    Ok(v) if v.is_finite() => v,
                    _ => return err(k, "invalid float"),
                }
            };
            Ok((FieldValue::Float(v), k))
        }
    }
}

/// Reads the boolean token at `start` (up to the first `,`/space or `end`). Returns the
/// value and the position just after the token.
#[inline]
pub(crate) fn boolean_value(b: &[u8], start: usize, end: usize) -> Result<(bool, usize), PErr> {
    if !matches!(b[start], b't' | b'f' | b'T' | b'F') {
        return err(start, "invalid boolean");
    }
    let stop = b[start..end]
        .iter()
        .position(|&c| c == b',' || c == b' ')
        .map_or(end, |n| start + n);
    match &b[start..stop] {
        b"t" | b"T" | b"true" | b"True" | b"TRUE" => Ok((true, stop)),
        b"f" | b"F" | b"false" | b"False" | b"FALSE" => Ok((false, stop)),
        _ => err(stop, "invalid boolean"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Result<(FieldValue<'static>, usize), PErr> {
        let text = format!("={s}");
        number_value(text.as_bytes(), &text, 1, text.len()).map(|(v, k)| (v, k - 1))
    }

    fn at(s: &str) -> usize {
        num(s).expect_err(s).0 - 1
    }

    #[test]
    fn numbers_convert() {
        assert_eq!(num("1.5,").unwrap(), (FieldValue::Float(1.5), 3));
        assert_eq!(num("-0").unwrap().0, FieldValue::Float(-0.0));
        assert_eq!(num("5.").unwrap().0, FieldValue::Float(5.0));
        assert_eq!(num(".5").unwrap().0, FieldValue::Float(0.5));
        assert_eq!(num("1e-3").unwrap().0, FieldValue::Float(0.001));
        assert_eq!(num("-12i").unwrap().0, FieldValue::Integer(-12));
        assert_eq!(num("7u x").unwrap(), (FieldValue::UInteger(7), 2));
        assert_eq!(
            num("-9223372036854775808i").unwrap().0,
            FieldValue::Integer(i64::MIN)
        );
        assert_eq!(
            num("18446744073709551615u").unwrap().0,
            FieldValue::UInteger(u64::MAX)
        );
    }

    #[test]
    fn errors_sit_where_the_rules_say() {
        assert_eq!(at("-"), 1); // rule 1
        assert_eq!(at("1..2"), 2); // rule 2: second point
        assert_eq!(at("1ii"), 2); // second suffix
        assert_eq!(at("i1"), 0); // suffix first
        assert_eq!(at("e5"), 0); // exponent first
        assert_eq!(at("1+2"), 1); // sign not after an exponent
        assert_eq!(at("NaN"), 0);
        assert_eq!(at("1.5i"), 4); // rule 3: suffix with a point
        assert_eq!(at("-.i"), 3); // nothing but markers
        assert_eq!(at("1i2"), 3); // rule 4: suffix not last
        assert_eq!(at("-1u"), 3); // unsigned with a minus
        assert_eq!(at("1e"), 2); // rule 5: not a float
        assert_eq!(num("1e999").unwrap_err().1, "invalid float");
        assert_eq!(
            num("9223372036854775808i").unwrap_err().1,
            "unable to parse integer 9223372036854775808: strconv.ParseInt: parsing \"9223372036854775808\": value out of range"
        );
    }

    #[test]
    fn booleans() {
        let b = |s: &str| boolean_value(s.as_bytes(), 0, s.len());
        assert_eq!(b("TRUE,x").unwrap(), (true, 4));
        assert_eq!(b("F").unwrap(), (false, 1));
        assert_eq!(b("x").unwrap_err().0, 0);
        assert_eq!(b("tru e").unwrap_err().0, 3);
    }
}
