//! NumPy-like text form of tensors, as `print` shows them.
//!
//! [`format_tensor`] prints exactly what NumPy's `str()` of the same array
//! prints with default print options (NumPy 2.x: `precision=8`,
//! `floatmode='maxprec'`, `linewidth=75`, `threshold=1000`, `edgeitems=3`).
//! The float rules, from `numpy/_core/arrayprint.py` (`FloatingFormat`):
//!
//! * each value prints its shortest round-trip digits (of its own precision:
//!   `f32` values as `f32`), capped at 8 fractional digits (positional) or 8
//!   digits after the first (scientific), rounding the exact value half to even;
//! * scientific notation shows every value with the longest such mantissa:
//!   the exact value's digits rounded to that length (`4.8250843e-07` for
//!   the `f32` whose shortest form is `4.825084e-07`);
//! * an array switches to scientific notation when its largest nonzero finite
//!   magnitude is `>= 1e6` (`f32`, `c64` parts) or `>= 1e8` (`f64`, `c128`
//!   parts), or its
//!   smallest is `< 1e-4`, or their ratio is `> 1000` (compared in the
//!   array's own precision);
//! * positional values align on the point (`[1.  2.5]`); scientific ones all
//!   take the longest mantissa, zero-padded (`[1.5e-05 1.0e+00]`);
//! * complex arrays format real and imaginary parts as two such columns.
//!
//! A 0-d array prints as NumPy's scalar `str` (`3.0`, `1e-05`, `(1+2j)`).

use super::{Data, Tensor};
use crate::types::DType;

/// Arrays with more elements are summarized with `...`.
const THRESHOLD: usize = 1000;
/// Items shown at each end of a summarized axis.
const EDGE_ITEMS: usize = 3;
const LINE_WIDTH: usize = 75;
/// Digits NumPy prints at most (`precision=8`).
const PRECISION: usize = 8;

pub fn format_tensor(t: &Tensor) -> String {
    if t.rank() == 0 {
        return format_scalar(t);
    }
    if t.size() == 0 {
        return "[]".into();
    }
    let summarize = t.size() > THRESHOLD;
    let mut strides = vec![1; t.rank()];
    for i in (0..t.rank() - 1).rev() {
        strides[i] = strides[i + 1] * t.shape()[i + 1];
    }
    let mut shown = vec![];
    shown_items(t.shape(), &strides, summarize, 0, 0, &mut shown);
    let printer = Printer {
        t,
        strides,
        summarize,
        elem: ElemFormat::new(t, &shown),
    };
    printer.axis(0, 0, " ", LINE_WIDTH)
}

/// Flat indices of the elements that are printed, in order.
fn shown_items(
    shape: &[usize],
    strides: &[usize],
    summarize: bool,
    axis: usize,
    base: usize,
    out: &mut Vec<usize>,
) {
    let Some(&len) = shape.get(axis) else {
        out.push(base);
        return;
    };
    for i in axis_items(len, summarize).into_iter().flatten() {
        shown_items(
            shape,
            strides,
            summarize,
            axis + 1,
            base + i * strides[axis],
            out,
        );
    }
}

/// The indices printed along an axis of `len`: all, or the two edges.
fn axis_items(len: usize, summarize: bool) -> [std::ops::Range<usize>; 2] {
    if summarize && len > 2 * EDGE_ITEMS {
        [0..EDGE_ITEMS, len - EDGE_ITEMS..len]
    } else {
        [0..len, 0..0]
    }
}

/// NumPy's `_formatArray`.
struct Printer<'a> {
    t: &'a Tensor,
    strides: Vec<usize>,
    summarize: bool,
    elem: ElemFormat,
}

impl Printer<'_> {
    /// Prints the sub-array at flat offset `base` from `axis` on.
    fn axis(&self, axis: usize, base: usize, indent: &str, width: usize) -> String {
        let len = self.t.shape()[axis];
        let [lead, trail] = axis_items(len, self.summarize);
        let summary = !trail.is_empty();
        let items: Vec<usize> = lead
            .chain(trail)
            .map(|i| base + i * self.strides[axis])
            .collect();
        let Some((&last, rest)) = items.split_last() else {
            return "[]".into();
        };
        let split = if summary { EDGE_ITEMS } else { rest.len() };
        let mut s = String::new();
        if axis + 1 == self.t.rank() {
            // Elements, wrapped to the line width (one column kept for ']').
            let elem_width = width.saturating_sub(1);
            let mut line = indent.to_string();
            for (k, &i) in rest.iter().enumerate() {
                if summary && k == split {
                    extend_line(&mut s, &mut line, "...", elem_width, indent);
                    line.push(' ');
                }
                extend_line(
                    &mut s,
                    &mut line,
                    &self.elem.format(self.t, i),
                    elem_width,
                    indent,
                );
                line.push(' ');
            }
            extend_line(
                &mut s,
                &mut line,
                &self.elem.format(self.t, last),
                elem_width,
                indent,
            );
            s.push_str(&line);
        } else {
            // Rows: one newline per remaining axis between them.
            let sep = "\n".repeat(self.t.rank() - axis - 1);
            let inner = format!("{} ", indent);
            let nested = |i| self.axis(axis + 1, i, &inner, width.saturating_sub(1));
            for (k, &i) in rest.iter().enumerate() {
                if summary && k == split {
                    s += &format!("{}...{}", indent, sep);
                }
                s += &format!("{}{}{}", indent, nested(i), sep);
            }
            s += &format!("{}{}", indent, nested(last));
        }
        format!("[{}]", &s[indent.len()..])
    }
}

/// NumPy's `_extendLine`: wraps before `word` if it would pass `width`,
/// unless the line holds nothing but its indent.
fn extend_line(s: &mut String, line: &mut String, word: &str, width: usize, indent: &str) {
    if line.len() + word.len() > width && line.len() > indent.len() {
        s.push_str(line.trim_end());
        s.push('\n');
        *line = indent.to_string();
    }
    line.push_str(word);
}

/// How every element of one array prints.
enum ElemFormat {
    Bool,
    Int { width: usize },
    Float(FloatFormat),
    Complex(FloatFormat, FloatFormat),
}

impl ElemFormat {
    /// The format for `t`, sized from the elements at flat indices `shown`.
    fn new(t: &Tensor, shown: &[usize]) -> ElemFormat {
        match t.data() {
            Data::Bool(_) => ElemFormat::Bool,
            Data::I32(_) | Data::I64(_) | Data::U32(_) => {
                let width = shown.iter().map(|&i| int_string(t.data(), i).len()).max();
                ElemFormat::Int {
                    width: width.unwrap_or(0),
                }
            }
            Data::F32(_) | Data::F64(_) => {
                let values: Vec<f64> = shown.iter().map(|&i| t.get_f64(i)).collect();
                ElemFormat::Float(FloatFormat::new(&values, t.dtype() == DType::F32, false))
            }
            Data::C64(_) | Data::C128(_) => {
                let parts = shown.iter().map(|&i| complex_at(t.data(), i));
                let (re, im): (Vec<f64>, Vec<f64>) = parts.unzip();
                let single = t.dtype() == DType::C64;
                ElemFormat::Complex(
                    FloatFormat::new(&re, single, false),
                    FloatFormat::new(&im, single, true),
                )
            }
        }
    }

    fn format(&self, t: &Tensor, i: usize) -> String {
        match (self, t.data()) {
            (ElemFormat::Bool, Data::Bool(v)) => if v[i] { " True" } else { "False" }.into(),
            (ElemFormat::Int { width }, d) => format!("{:>w$}", int_string(d, i), w = *width),
            (ElemFormat::Float(f), _) => f.format(t.get_f64(i)),
            (ElemFormat::Complex(re, im), d) => {
                // The 'j' goes before the imaginary column's padding.
                let (x, y) = complex_at(d, i);
                let imag = im.format(y);
                let end = imag.trim_end().len();
                format!("{}{}j{}", re.format(x), &imag[..end], &imag[end..])
            }
            _ => String::new(),
        }
    }
}

/// Element `i` of a complex buffer as `(re, im)` (`(0, 0)` for a real one).
fn complex_at(d: &Data, i: usize) -> (f64, f64) {
    match d {
        Data::C64(v) => (v[i].re as f64, v[i].im as f64),
        Data::C128(v) => (v[i].re, v[i].im),
        _ => (0.0, 0.0),
    }
}

fn int_string(d: &Data, i: usize) -> String {
    match d {
        Data::I32(v) => v[i].to_string(),
        Data::I64(v) => v[i].to_string(),
        Data::U32(v) => v[i].to_string(),
        _ => String::new(),
    }
}

/// NumPy's `FloatingFormat` in `maxprec` mode.
struct FloatFormat {
    /// Scientific notation for the whole array.
    sci: bool,
    /// Always print a sign (`+` for non-negative): complex imaginary parts.
    plus: bool,
    /// The values are `f32`: their shortest digits are those of an `f32`.
    single: bool,
    /// Width of the part before the point, sign included.
    pad_left: usize,
    /// Width of the part after the point (exponent included in scientific).
    pad_right: usize,
    /// Scientific: digits after the point, and exponent digits.
    precision: usize,
    exp_digits: usize,
}

impl FloatFormat {
    fn new(values: &[f64], single: bool, plus: bool) -> FloatFormat {
        let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        let mut f = FloatFormat {
            sci: use_scientific(&finite, single),
            plus,
            single,
            pad_left: 0,
            pad_right: 0,
            precision: 0,
            exp_digits: 0,
        };
        let parts: Vec<(String, String, i32)> = finite
            .iter()
            .map(|&x| {
                let d = if f.sci {
                    unique_sci(x, single, PRECISION)
                } else {
                    unique_pos(x, single, PRECISION)
                };
                let (int, frac) = if f.sci {
                    (d.digits[..1].to_string(), d.digits[1..].to_string())
                } else {
                    d.positional()
                };
                (format!("{}{}", f.sign(x), int), frac, d.exp)
            })
            .collect();
        f.pad_left = parts.iter().map(|p| p.0.len()).max().unwrap_or(0);
        let frac_len = parts.iter().map(|p| p.1.len()).max().unwrap_or(0);
        if f.sci {
            f.exp_digits = parts.iter().map(|p| exp_len(p.2)).max().unwrap_or(2);
            f.precision = frac_len;
            f.pad_right = f.exp_digits + 2 + frac_len;
        } else {
            f.pad_right = frac_len;
        }
        if finite.len() < values.len() {
            // Room for nan and inf, right-aligned in the column.
            let neg_inf = plus || values.contains(&f64::NEG_INFINITY);
            let room = 3 + neg_inf as usize;
            f.pad_left = f.pad_left.max(room.saturating_sub(f.pad_right + 1));
        }
        f
    }

    fn sign(&self, x: f64) -> &'static str {
        match (x.is_sign_negative(), self.plus) {
            (true, _) => "-",
            (false, true) => "+",
            (false, false) => "",
        }
    }

    fn format(&self, x: f64) -> String {
        let width = self.pad_left + self.pad_right + 1;
        if x.is_nan() {
            let s = if self.plus { "+nan" } else { "nan" };
            return format!("{:>width$}", s);
        }
        if x.is_infinite() {
            let s = format!(
                "{}inf",
                if x < 0.0 {
                    "-"
                } else if self.plus {
                    "+"
                } else {
                    ""
                }
            );
            return format!("{:>width$}", s);
        }
        if self.sci {
            // All values show `precision` digits after the first: the exact
            // value's digits, rounded (not the shortest ones zero-padded).
            let d = Digits::from_sci(&format!("{:.*e}", self.precision, x.abs()));
            let int = format!("{}{}", self.sign(x), &d.digits[..1]);
            let exp_sign = if d.exp < 0 { '-' } else { '+' };
            format!(
                "{:>pl$}.{:0<pr$}e{}{:0>ed$}",
                int,
                &d.digits[1..],
                exp_sign,
                d.exp.unsigned_abs(),
                pl = self.pad_left,
                pr = self.precision,
                ed = self.exp_digits
            )
        } else {
            let (int, frac) = unique_pos(x, self.single, PRECISION).positional();
            let int = format!("{}{}", self.sign(x), int);
            format!(
                "{:>pl$}.{:<pr$}",
                int,
                frac,
                pl = self.pad_left,
                pr = self.pad_right
            )
        }
    }
}

/// Whether an array of these finite values prints in scientific notation.
fn use_scientific(finite: &[f64], single: bool) -> bool {
    let mags = finite.iter().map(|x| x.abs()).filter(|&x| x != 0.0);
    let (Some(max), Some(min)) = (mags.clone().reduce(f64::max), mags.reduce(f64::min)) else {
        return false;
    };
    if single {
        // NumPy compares in the array's precision: f32(1e-4) is not < 1e-4 here.
        let (max, min) = (max as f32, min as f32);
        max >= 1e6 || min < 1e-4 || max / min > 1000.0
    } else {
        max >= 1e8 || min < 1e-4 || max / min > 1000.0
    }
}

/// Number of exponent digits NumPy prints: at least two.
fn exp_len(exp: i32) -> usize {
    exp.unsigned_abs().to_string().len().max(2)
}

/// Decimal digits of a magnitude: `d0.d1d2... × 10^exp`, no trailing zeros
/// (`"0"` for zero).
#[derive(Debug, PartialEq)]
struct Digits {
    digits: String,
    exp: i32,
}

impl Digits {
    /// Parses Rust's `{:e}` form (`1.25e-3`) of a magnitude.
    fn from_sci(s: &str) -> Digits {
        let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
        let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        trim_zeros(&mut digits);
        Digits {
            digits,
            exp: exp.parse().unwrap_or(0),
        }
    }

    /// Parses Rust's `{:.N}` form (`0.00125000`) of a magnitude.
    fn from_fixed(s: &str) -> Digits {
        let (int, frac) = s.split_once('.').unwrap_or((s, ""));
        let all = format!("{}{}", int, frac);
        let Some(first) = all.find(|c: char| c != '0') else {
            return Digits {
                digits: "0".into(),
                exp: 0,
            };
        };
        let mut digits = all[first..].to_string();
        trim_zeros(&mut digits);
        Digits {
            digits,
            exp: int.len() as i32 - 1 - first as i32,
        }
    }

    /// Digits after the first: what scientific notation prints after the point.
    fn sci_frac_len(&self) -> usize {
        self.digits.len() - 1
    }

    /// Digits after the point in positional notation.
    fn pos_frac_len(&self) -> usize {
        (self.digits.len() as i32 - 1 - self.exp).max(0) as usize
    }

    /// The integer and fractional parts in positional notation.
    fn positional(&self) -> (String, String) {
        if self.digits == "0" {
            return ("0".into(), String::new());
        }
        if self.exp < 0 {
            let zeros = "0".repeat((-self.exp - 1) as usize);
            return ("0".into(), format!("{}{}", zeros, self.digits));
        }
        let int_len = self.exp as usize + 1;
        if self.digits.len() <= int_len {
            let zeros = "0".repeat(int_len - self.digits.len());
            (format!("{}{}", self.digits, zeros), String::new())
        } else {
            let (int, frac) = self.digits.split_at(int_len);
            (int.to_string(), frac.to_string())
        }
    }
}

fn trim_zeros(digits: &mut String) {
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
}

/// The shortest digits that round-trip `|x|` at its precision; of two
/// equally short and equally near candidates, the even one (as NumPy's
/// Dragon4 picks; Rust's shortest form picks the larger).
fn shortest(x: f64, single: bool) -> Digits {
    let x = x.abs();
    let short = if single {
        format!("{:e}", x as f32)
    } else {
        format!("{:e}", x)
    };
    let d = Digits::from_sci(&short);
    // The exact value rounded half-to-even at the same length, if it round-trips.
    let nearest = format!("{:.*e}", d.sci_frac_len(), x);
    let round_trips = if single {
        nearest.parse::<f32>() == Ok(x as f32)
    } else {
        nearest.parse::<f64>() == Ok(x)
    };
    if round_trips {
        Digits::from_sci(&nearest)
    } else {
        d
    }
}

/// Shortest digits of `|x|`, or, if they need more than `precision` digits
/// after the first, the exact value rounded to that many (half to even).
fn unique_sci(x: f64, single: bool, precision: usize) -> Digits {
    let d = shortest(x, single);
    if d.sci_frac_len() <= precision {
        return d;
    }
    Digits::from_sci(&format!("{:.*e}", precision, x.abs()))
}

/// Shortest digits of `|x|`, or, if they need more than `precision`
/// fractional digits, the exact value rounded to that many (half to even).
fn unique_pos(x: f64, single: bool, precision: usize) -> Digits {
    let d = shortest(x, single);
    if d.pos_frac_len() <= precision {
        return d;
    }
    Digits::from_fixed(&format!("{:.*}", precision, x.abs()))
}

/// A 0-d array, printed as NumPy prints the scalar it holds.
fn format_scalar(t: &Tensor) -> String {
    match t.data() {
        Data::Bool(v) => v
            .first()
            .map_or("", |&b| if b { "True" } else { "False" })
            .into(),
        Data::I32(_) | Data::I64(_) | Data::U32(_) => int_string(t.data(), 0),
        Data::F32(v) => v
            .first()
            .map_or(String::new(), |&x| scalar_float(x as f64, true, true)),
        Data::F64(v) => v
            .first()
            .map_or(String::new(), |&x| scalar_float(x, false, true)),
        Data::C64(_) | Data::C128(_) if t.size() == 1 => {
            let (re, im) = complex_at(t.data(), 0);
            let single = t.dtype() == DType::C64;
            let imag = scalar_float(im, single, false);
            if re == 0.0 && !re.is_sign_negative() {
                return format!("{}j", imag);
            }
            let sign = if imag.starts_with('-') { "" } else { "+" };
            format!("({}{}{}j)", scalar_float(re, single, false), sign, imag)
        }
        Data::C64(_) | Data::C128(_) => String::new(),
    }
}

/// NumPy's scalar `str` of a float: positional for `1e-4 <= |x| < 1e16`
/// (`1e6` for `f32`) or zero, scientific otherwise. `point_zero` keeps a
/// `.0` on whole numbers (`3.0`); complex parts drop it (`(3+1j)`).
fn scalar_float(x: f64, single: bool, point_zero: bool) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf" } else { "inf" }.into();
    }
    let sign = if x.is_sign_negative() { "-" } else { "" };
    let cutoff = if single { 1e6 } else { 1e16 };
    let d = shortest(x, single);
    if x == 0.0 || (x.abs() >= 1e-4 && x.abs() < cutoff) {
        let (int, frac) = d.positional();
        match (frac.is_empty(), point_zero) {
            (true, true) => format!("{}{}.0", sign, int),
            (true, false) => format!("{}{}", sign, int),
            (false, _) => format!("{}{}.{}", sign, int, frac),
        }
    } else {
        let point = if d.digits.len() > 1 { "." } else { "" };
        let exp_sign = if d.exp < 0 { '-' } else { '+' };
        format!(
            "{}{}{}{}e{}{:02}",
            sign,
            &d.digits[..1],
            point,
            &d.digits[1..],
            exp_sign,
            d.exp.unsigned_abs()
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::tensor::{C128, C64};

    const NAN: f64 = f64::NAN;
    const INF: f64 = f64::INFINITY;

    fn make(shape: &[usize], data: Data) -> Tensor {
        Tensor::new(shape.to_vec(), data).unwrap()
    }
    fn f32s(shape: &[usize], v: &[f64]) -> Tensor {
        make(shape, Data::F32(v.iter().map(|&x| x as f32).collect()))
    }
    fn f64s(shape: &[usize], v: &[f64]) -> Tensor {
        make(shape, Data::F64(v.to_vec()))
    }
    fn i32s(shape: &[usize], v: &[i32]) -> Tensor {
        make(shape, Data::I32(v.to_vec()))
    }
    fn i64s(shape: &[usize], v: &[i64]) -> Tensor {
        make(shape, Data::I64(v.to_vec()))
    }
    fn u32s(shape: &[usize], v: &[u32]) -> Tensor {
        make(shape, Data::U32(v.to_vec()))
    }
    fn bools(shape: &[usize], v: &[bool]) -> Tensor {
        make(shape, Data::Bool(v.to_vec()))
    }
    fn c64s(shape: &[usize], v: &[(f64, f64)]) -> Tensor {
        make(
            shape,
            Data::C64(
                v.iter()
                    .map(|&(re, im)| C64::new(re as f32, im as f32))
                    .collect(),
            ),
        )
    }

    fn c128s(shape: &[usize], v: &[(f64, f64)]) -> Tensor {
        let data = v.iter().map(|&(re, im)| C128::new(re, im)).collect();
        make(shape, Data::C128(data))
    }

    /// The array NumPy built for a generated case: `i * scale + offset`
    /// (complex: that plus `(2 (i * scale + offset) - 1) j`; bool: `i % 3 == 0`).
    fn generated(dtype: DType, shape: &[usize], scale: f64, offset: f64) -> Tensor {
        let n: usize = shape.iter().product();
        let base = (0..n).map(|i| i as f64 * scale + offset);
        let ints = (0..n as i64).map(|i| i * scale as i64 + offset as i64);
        let data = match dtype {
            DType::F64 => Data::F64(base.collect()),
            DType::F32 => Data::F32(base.map(|x| x as f32).collect()),
            DType::I32 => Data::I32(ints.map(|x| x as i32).collect()),
            DType::I64 => Data::I64(ints.collect()),
            DType::C64 => Data::C64(
                base.map(|x| C64::new(x as f32, (x * 2.0 - 1.0) as f32))
                    .collect(),
            ),
            DType::C128 => Data::C128(base.map(|x| C128::new(x, x * 2.0 - 1.0)).collect()),
            DType::Bool => Data::Bool((0..n).map(|i| i % 3 == 0).collect()),
            DType::U32 => Data::U32((0..n as u32).collect()),
        };
        make(shape, data)
    }

    #[test]
    fn arrays_print_as_numpy_prints_them() {
        for (t, expected) in numpy_cases() {
            assert_eq!(format_tensor(&t), expected, "{:?}", t);
        }
    }

    #[test]
    fn large_arrays_wrap_and_summarize_as_numpy_does() {
        for (dtype, shape, scale, offset, expected) in numpy_generated() {
            let t = generated(dtype, shape, scale, offset);
            assert_eq!(format_tensor(&t), expected, "{} {:?}", dtype, shape);
        }
    }

    #[test]
    fn scalars_print_as_numpy_scalars() {
        for (t, expected) in numpy_scalars() {
            assert_eq!(format_tensor(&t), expected, "{:?}", t);
        }
    }

    #[test]
    fn digits_parse_both_rust_forms() {
        let d = |digits: &str, exp| Digits {
            digits: digits.into(),
            exp,
        };
        assert_eq!(Digits::from_sci("1.25e-3"), d("125", -3));
        assert_eq!(Digits::from_sci("0e0"), d("0", 0));
        assert_eq!(Digits::from_fixed("0.00125000"), d("125", -3));
        assert_eq!(Digits::from_fixed("120.50000000"), d("1205", 2));
        assert_eq!(Digits::from_fixed("0.00000000"), d("0", 0));
        assert_eq!(d("125", -3).positional(), ("0".into(), "00125".into()));
        assert_eq!(d("12", 3).positional(), ("1200".into(), String::new()));
    }

    // Generated with numpy 2.4.6
    fn numpy_cases() -> Vec<(Tensor, &'static str)> {
        vec![
            (f32s(&[3], &[1.0, 2.5, 3.0]), "[1.  2.5 3. ]"),
            (i32s(&[2, 2], &[1, 2, 3, 4]), "[[1 2]\n [3 4]]"),
            (bools(&[2], &[true, false]), "[ True False]"),
            (c64s(&[2], &[(1.0, 2.0), (3.0, -1.0)]), "[1.+2.j 3.-1.j]"),
            (f64s(&[2], &[1e-05, 1.0]), "[1.e-05 1.e+00]"),
            (f64s(&[3], &[NAN, INF, -INF]), "[ nan  inf -inf]"),
            (f64s(&[2], &[NAN, 1.5]), "[nan 1.5]"),
            (f64s(&[2], &[-0.0, 0.0]), "[-0.  0.]"),
            (f64s(&[1], &[INF]), "[inf]"),
            (f64s(&[1], &[NAN]), "[nan]"),
            (f32s(&[3], &[0.10000000149011612, 0.20000000298023224, 0.30000001192092896]), "[0.1 0.2 0.3]"),
            (f64s(&[3], &[0.1, 0.2, 0.30000000000000004]), "[0.1 0.2 0.3]"),
            (f64s(&[2], &[0.3333333333333333, 0.6666666666666666]), "[0.33333333 0.66666667]"),
            (f32s(&[2], &[0.3333333432674408, 0.6666666865348816]), "[0.33333334 0.6666667 ]"),
            (f64s(&[2], &[100000000.0, 1.0]), "[1.e+08 1.e+00]"),
            (f64s(&[2], &[99999999.0, 1.0]), "[9.9999999e+07 1.0000000e+00]"),
            (f32s(&[2], &[1000000.0, 1.0]), "[1.e+06 1.e+00]"),
            (f32s(&[2], &[999999.0, 1.0]), "[9.99999e+05 1.00000e+00]"),
            (f32s(&[2], &[9.999999747378752e-05, 0.05000000074505806]), "[0.0001 0.05  ]"),
            (f64s(&[2], &[0.0001, 0.05]), "[0.0001 0.05  ]"),
            (f64s(&[2], &[0.0001, 0.001]), "[0.0001 0.001 ]"),
            (f64s(&[2], &[9.99e-05, 0.001]), "[9.99e-05 1.00e-03]"),
            (f64s(&[2], &[123456.789, 0.001]), "[1.23456789e+05 1.00000000e-03]"),
            (f64s(&[2], &[1.5e-10, 2.25e+300]), "[1.50e-010 2.25e+300]"),
            (f64s(&[2], &[1e-300, 1e+300]), "[1.e-300 1.e+300]"),
            (f64s(&[2], &[-1e-05, 20000000000.0]), "[-1.e-05  2.e+10]"),
            (i32s(&[3], &[-1, 10, 100]), "[ -1  10 100]"),
            (i64s(&[2], &[-1099511627776, 7]), "[-1099511627776              7]"),
            (u32s(&[2], &[0, 4294967295]), "[         0 4294967295]"),
            (f64s(&[2, 2], &[1.5, -2.0, 3.0, 4.25]), "[[ 1.5  -2.  ]\n [ 3.    4.25]]"),
            (i32s(&[2, 3, 4], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]), "[[[ 0  1  2  3]\n  [ 4  5  6  7]\n  [ 8  9 10 11]]\n\n [[12 13 14 15]\n  [16 17 18 19]\n  [20 21 22 23]]]"),
            (c64s(&[2], &[(9.999999747378752e-06, 1.0), (2.0, 0.0)]), "[1.e-05+1.j 2.e+00+0.j]"),
            (c64s(&[2], &[(NAN, 1.0), (1.0, INF)]), "[nan +1.j  1.+infj]"),
            (c64s(&[2], &[(0.5, -0.25), (-1.0, 0.0)]), "[ 0.5-0.25j -1. +0.j  ]"),
            (c64s(&[2, 2], &[(1.0, 1.0), (-0.0, -2.5), (3.0, 0.0), (-0.0, -0.0)]), "[[ 1.+1.j  -0.-2.5j]\n [ 3.+0.j  -0.-0.j ]]"),
            (c64s(&[2], &[(INF, -INF), (1.0, 0.0)]), "[inf-infj  1. +0.j]"),
            (c64s(&[2], &[(10000000.0, 1.0), (2.0, 0.0)]), "[1.e+07+1.j 2.e+00+0.j]"),
            (f64s(&[2], &[0.0, 0.0]), "[0. 0.]"),
            (f64s(&[0], &[]), "[]"),
            (i32s(&[2, 0], &[]), "[]"),
            (bools(&[2, 2], &[true, false, false, true]), "[[ True False]\n [False  True]]"),
            (f64s(&[1], &[5.0]), "[5.]"),
            (f64s(&[2], &[0.001953125, 1.0]), "[0.00195312 1.        ]"),
            (f32s(&[2], &[16777216.0, 1.0]), "[1.6777216e+07 1.0000000e+00]"),
            (f64s(&[2], &[1e+16, 1.0]), "[1.e+16 1.e+00]"),
            (f64s(&[3], &[-1.5, 2.25, -3.125]), "[-1.5    2.25  -3.125]"),
            (f64s(&[25], &[-1.0, -0.9166666666666666, -0.8333333333333334, -0.75, -0.6666666666666667, -0.5833333333333334, -0.5, -0.41666666666666674, -0.33333333333333337, -0.25, -0.16666666666666674, -0.08333333333333337, 0.0, 0.08333333333333326, 0.16666666666666652, 0.25, 0.33333333333333326, 0.4166666666666665, 0.5, 0.5833333333333333, 0.6666666666666665, 0.75, 0.8333333333333333, 0.9166666666666665, 1.0]), "[-1.         -0.91666667 -0.83333333 -0.75       -0.66666667 -0.58333333\n -0.5        -0.41666667 -0.33333333 -0.25       -0.16666667 -0.08333333\n  0.          0.08333333  0.16666667  0.25        0.33333333  0.41666667\n  0.5         0.58333333  0.66666667  0.75        0.83333333  0.91666667\n  1.        ]"),
            (i32s(&[2, 2, 2, 2], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]), "[[[[ 0  1]\n   [ 2  3]]\n\n  [[ 4  5]\n   [ 6  7]]]\n\n\n [[[ 8  9]\n   [10 11]]\n\n  [[12 13]\n   [14 15]]]]"),
            (f32s(&[2], &[9.99999993922529e-09, 1.0000000116860974e-07]), "[1.e-08 1.e-07]"),
            (f64s(&[2], &[0.5, 0.001]), "[0.5   0.001]"),
            (f64s(&[2], &[1.0, 1.0000001]), "[1.        1.0000001]"),
            (f32s(&[3], &[4.825084261028678e-07, -1.2795213706340292e-06, 1.0]), "[ 4.8250843e-07 -1.2795214e-06  1.0000000e+00]"),
            (f32s(&[2], &[-3231959.25, 1.5]), "[-3.2319592e+06  1.5000000e+00]"),
            (c64s(&[1], &[(-33.875, -3231959.25)]), "[-33.875-3.2319592e+06j]"),
            // complex128: f64 parts, scientific from 1e8 (NumPy 2.4)
            (c128s(&[2], &[(1.0 / 3.0, 2.0), (-0.1, -1e-9)]), "[ 0.33333333+2.e+00j -0.1       -1.e-09j]"),
            (c128s(&[2], &[(1e7, 1.0), (2.0, 0.0)]), "[1.e+07+1.j 2.e+00+0.j]"),
            (c128s(&[2], &[(NAN, 1.0), (1.0, INF)]), "[nan +1.j  1.+infj]"),
            (c128s(&[2], &[(0.5, -0.25), (-1.0, 0.0)]), "[ 0.5-0.25j -1. +0.j  ]"),
            (f32s(&[2], &[0.001953125, 1.0]), "[0.00195312 1.        ]"),
            (f64s(&[2], &[123456789.123, 2.0]), "[1.23456789e+08 2.00000000e+00]"),
            (f32s(&[2], &[3.3999999521443642e+38, -3.3999999521443642e+38]), "[ 3.4e+38 -3.4e+38]"),
        ]
    }

    /// (dtype, shape, scale, offset, str) for arrays of `i * scale + offset`.
    fn numpy_generated() -> Vec<(DType, &'static [usize], f64, f64, &'static str)> {
        vec![
            (DType::F64, &[30], 1.1, 0.0, "[ 0.   1.1  2.2  3.3  4.4  5.5  6.6  7.7  8.8  9.9 11.  12.1 13.2 14.3\n 15.4 16.5 17.6 18.7 19.8 20.9 22.  23.1 24.2 25.3 26.4 27.5 28.6 29.7\n 30.8 31.9]"),
            (DType::I32, &[100], 1.0, 0.0, "[ 0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17 18 19 20 21 22 23\n 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47\n 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71\n 72 73 74 75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95\n 96 97 98 99]"),
            (DType::F64, &[3, 20], 0.14285714285714285, -2.0, "[[-2.         -1.85714286 -1.71428571 -1.57142857 -1.42857143 -1.28571429\n  -1.14285714 -1.         -0.85714286 -0.71428571 -0.57142857 -0.42857143\n  -0.28571429 -0.14285714  0.          0.14285714  0.28571429  0.42857143\n   0.57142857  0.71428571]\n [ 0.85714286  1.          1.14285714  1.28571429  1.42857143  1.57142857\n   1.71428571  1.85714286  2.          2.14285714  2.28571429  2.42857143\n   2.57142857  2.71428571  2.85714286  3.          3.14285714  3.28571429\n   3.42857143  3.57142857]\n [ 3.71428571  3.85714286  4.          4.14285714  4.28571429  4.42857143\n   4.57142857  4.71428571  4.85714286  5.          5.14285714  5.28571429\n   5.42857143  5.57142857  5.71428571  5.85714286  6.          6.14285714\n   6.28571429  6.42857143]]"),
            (DType::I32, &[2000], 1.0, 0.0, "[   0    1    2 ... 1997 1998 1999]"),
            (DType::F64, &[1001], 0.5, 0.0, "[  0.    0.5   1.  ... 499.  499.5 500. ]"),
            (DType::F32, &[40, 30], 0.25, 0.0, "[[0.0000e+00 2.5000e-01 5.0000e-01 ... 6.7500e+00 7.0000e+00 7.2500e+00]\n [7.5000e+00 7.7500e+00 8.0000e+00 ... 1.4250e+01 1.4500e+01 1.4750e+01]\n [1.5000e+01 1.5250e+01 1.5500e+01 ... 2.1750e+01 2.2000e+01 2.2250e+01]\n ...\n [2.7750e+02 2.7775e+02 2.7800e+02 ... 2.8425e+02 2.8450e+02 2.8475e+02]\n [2.8500e+02 2.8525e+02 2.8550e+02 ... 2.9175e+02 2.9200e+02 2.9225e+02]\n [2.9250e+02 2.9275e+02 2.9300e+02 ... 2.9925e+02 2.9950e+02 2.9975e+02]]"),
            (DType::I64, &[10, 10, 11], 1.0, -500.0, "[[[-500 -499 -498 ... -492 -491 -490]\n  [-489 -488 -487 ... -481 -480 -479]\n  [-478 -477 -476 ... -470 -469 -468]\n  ...\n  [-423 -422 -421 ... -415 -414 -413]\n  [-412 -411 -410 ... -404 -403 -402]\n  [-401 -400 -399 ... -393 -392 -391]]\n\n [[-390 -389 -388 ... -382 -381 -380]\n  [-379 -378 -377 ... -371 -370 -369]\n  [-368 -367 -366 ... -360 -359 -358]\n  ...\n  [-313 -312 -311 ... -305 -304 -303]\n  [-302 -301 -300 ... -294 -293 -292]\n  [-291 -290 -289 ... -283 -282 -281]]\n\n [[-280 -279 -278 ... -272 -271 -270]\n  [-269 -268 -267 ... -261 -260 -259]\n  [-258 -257 -256 ... -250 -249 -248]\n  ...\n  [-203 -202 -201 ... -195 -194 -193]\n  [-192 -191 -190 ... -184 -183 -182]\n  [-181 -180 -179 ... -173 -172 -171]]\n\n ...\n\n [[ 270  271  272 ...  278  279  280]\n  [ 281  282  283 ...  289  290  291]\n  [ 292  293  294 ...  300  301  302]\n  ...\n  [ 347  348  349 ...  355  356  357]\n  [ 358  359  360 ...  366  367  368]\n  [ 369  370  371 ...  377  378  379]]\n\n [[ 380  381  382 ...  388  389  390]\n  [ 391  392  393 ...  399  400  401]\n  [ 402  403  404 ...  410  411  412]\n  ...\n  [ 457  458  459 ...  465  466  467]\n  [ 468  469  470 ...  476  477  478]\n  [ 479  480  481 ...  487  488  489]]\n\n [[ 490  491  492 ...  498  499  500]\n  [ 501  502  503 ...  509  510  511]\n  [ 512  513  514 ...  520  521  522]\n  ...\n  [ 567  568  569 ...  575  576  577]\n  [ 578  579  580 ...  586  587  588]\n  [ 589  590  591 ...  597  598  599]]]"),
            (DType::F64, &[5, 300], 0.001, 1.0, "[[1.    1.001 1.002 ... 1.297 1.298 1.299]\n [1.3   1.301 1.302 ... 1.597 1.598 1.599]\n [1.6   1.601 1.602 ... 1.897 1.898 1.899]\n [1.9   1.901 1.902 ... 2.197 2.198 2.199]\n [2.2   2.201 2.202 ... 2.497 2.498 2.499]]"),
            (DType::F32, &[2, 600], 1.5e-06, 0.0, "[[0.0000e+00 1.5000e-06 3.0000e-06 ... 8.9550e-04 8.9700e-04 8.9850e-04]\n [9.0000e-04 9.0150e-04 9.0300e-04 ... 1.7955e-03 1.7970e-03 1.7985e-03]]"),
            (DType::C128, &[1200], 0.5, 0.0, "[0.000e+00-1.000e+00j 5.000e-01+0.000e+00j 1.000e+00+1.000e+00j ...\n 5.985e+02+1.196e+03j 5.990e+02+1.197e+03j 5.995e+02+1.198e+03j]"),
            (DType::C128, &[12], 0.1, 1.0 / 3.0, "[0.33333333-0.33333333j 0.43333333-0.13333333j 0.53333333+0.06666667j\n 0.63333333+0.26666667j 0.73333333+0.46666667j 0.83333333+0.66666667j\n 0.93333333+0.86666667j 1.03333333+1.06666667j 1.13333333+1.26666667j\n 1.23333333+1.46666667j 1.33333333+1.66666667j 1.43333333+1.86666667j]"),
            (DType::C64, &[1200], 0.5, 0.0, "[0.000e+00-1.000e+00j 5.000e-01+0.000e+00j 1.000e+00+1.000e+00j ...\n 5.985e+02+1.196e+03j 5.990e+02+1.197e+03j 5.995e+02+1.198e+03j]"),
            (DType::Bool, &[1500], 1.0, 0.0, "[ True False False ...  True False False]"),
            (DType::F64, &[4, 4, 4, 20], 0.1, -10.0, "[[[[-1.000e+01 -9.900e+00 -9.800e+00 ... -8.300e+00 -8.200e+00\n    -8.100e+00]\n   [-8.000e+00 -7.900e+00 -7.800e+00 ... -6.300e+00 -6.200e+00\n    -6.100e+00]\n   [-6.000e+00 -5.900e+00 -5.800e+00 ... -4.300e+00 -4.200e+00\n    -4.100e+00]\n   [-4.000e+00 -3.900e+00 -3.800e+00 ... -2.300e+00 -2.200e+00\n    -2.100e+00]]\n\n  [[-2.000e+00 -1.900e+00 -1.800e+00 ... -3.000e-01 -2.000e-01\n    -1.000e-01]\n   [ 0.000e+00  1.000e-01  2.000e-01 ...  1.700e+00  1.800e+00\n     1.900e+00]\n   [ 2.000e+00  2.100e+00  2.200e+00 ...  3.700e+00  3.800e+00\n     3.900e+00]\n   [ 4.000e+00  4.100e+00  4.200e+00 ...  5.700e+00  5.800e+00\n     5.900e+00]]\n\n  [[ 6.000e+00  6.100e+00  6.200e+00 ...  7.700e+00  7.800e+00\n     7.900e+00]\n   [ 8.000e+00  8.100e+00  8.200e+00 ...  9.700e+00  9.800e+00\n     9.900e+00]\n   [ 1.000e+01  1.010e+01  1.020e+01 ...  1.170e+01  1.180e+01\n     1.190e+01]\n   [ 1.200e+01  1.210e+01  1.220e+01 ...  1.370e+01  1.380e+01\n     1.390e+01]]\n\n  [[ 1.400e+01  1.410e+01  1.420e+01 ...  1.570e+01  1.580e+01\n     1.590e+01]\n   [ 1.600e+01  1.610e+01  1.620e+01 ...  1.770e+01  1.780e+01\n     1.790e+01]\n   [ 1.800e+01  1.810e+01  1.820e+01 ...  1.970e+01  1.980e+01\n     1.990e+01]\n   [ 2.000e+01  2.010e+01  2.020e+01 ...  2.170e+01  2.180e+01\n     2.190e+01]]]\n\n\n [[[ 2.200e+01  2.210e+01  2.220e+01 ...  2.370e+01  2.380e+01\n     2.390e+01]\n   [ 2.400e+01  2.410e+01  2.420e+01 ...  2.570e+01  2.580e+01\n     2.590e+01]\n   [ 2.600e+01  2.610e+01  2.620e+01 ...  2.770e+01  2.780e+01\n     2.790e+01]\n   [ 2.800e+01  2.810e+01  2.820e+01 ...  2.970e+01  2.980e+01\n     2.990e+01]]\n\n  [[ 3.000e+01  3.010e+01  3.020e+01 ...  3.170e+01  3.180e+01\n     3.190e+01]\n   [ 3.200e+01  3.210e+01  3.220e+01 ...  3.370e+01  3.380e+01\n     3.390e+01]\n   [ 3.400e+01  3.410e+01  3.420e+01 ...  3.570e+01  3.580e+01\n     3.590e+01]\n   [ 3.600e+01  3.610e+01  3.620e+01 ...  3.770e+01  3.780e+01\n     3.790e+01]]\n\n  [[ 3.800e+01  3.810e+01  3.820e+01 ...  3.970e+01  3.980e+01\n     3.990e+01]\n   [ 4.000e+01  4.010e+01  4.020e+01 ...  4.170e+01  4.180e+01\n     4.190e+01]\n   [ 4.200e+01  4.210e+01  4.220e+01 ...  4.370e+01  4.380e+01\n     4.390e+01]\n   [ 4.400e+01  4.410e+01  4.420e+01 ...  4.570e+01  4.580e+01\n     4.590e+01]]\n\n  [[ 4.600e+01  4.610e+01  4.620e+01 ...  4.770e+01  4.780e+01\n     4.790e+01]\n   [ 4.800e+01  4.810e+01  4.820e+01 ...  4.970e+01  4.980e+01\n     4.990e+01]\n   [ 5.000e+01  5.010e+01  5.020e+01 ...  5.170e+01  5.180e+01\n     5.190e+01]\n   [ 5.200e+01  5.210e+01  5.220e+01 ...  5.370e+01  5.380e+01\n     5.390e+01]]]\n\n\n [[[ 5.400e+01  5.410e+01  5.420e+01 ...  5.570e+01  5.580e+01\n     5.590e+01]\n   [ 5.600e+01  5.610e+01  5.620e+01 ...  5.770e+01  5.780e+01\n     5.790e+01]\n   [ 5.800e+01  5.810e+01  5.820e+01 ...  5.970e+01  5.980e+01\n     5.990e+01]\n   [ 6.000e+01  6.010e+01  6.020e+01 ...  6.170e+01  6.180e+01\n     6.190e+01]]\n\n  [[ 6.200e+01  6.210e+01  6.220e+01 ...  6.370e+01  6.380e+01\n     6.390e+01]\n   [ 6.400e+01  6.410e+01  6.420e+01 ...  6.570e+01  6.580e+01\n     6.590e+01]\n   [ 6.600e+01  6.610e+01  6.620e+01 ...  6.770e+01  6.780e+01\n     6.790e+01]\n   [ 6.800e+01  6.810e+01  6.820e+01 ...  6.970e+01  6.980e+01\n     6.990e+01]]\n\n  [[ 7.000e+01  7.010e+01  7.020e+01 ...  7.170e+01  7.180e+01\n     7.190e+01]\n   [ 7.200e+01  7.210e+01  7.220e+01 ...  7.370e+01  7.380e+01\n     7.390e+01]\n   [ 7.400e+01  7.410e+01  7.420e+01 ...  7.570e+01  7.580e+01\n     7.590e+01]\n   [ 7.600e+01  7.610e+01  7.620e+01 ...  7.770e+01  7.780e+01\n     7.790e+01]]\n\n  [[ 7.800e+01  7.810e+01  7.820e+01 ...  7.970e+01  7.980e+01\n     7.990e+01]\n   [ 8.000e+01  8.010e+01  8.020e+01 ...  8.170e+01  8.180e+01\n     8.190e+01]\n   [ 8.200e+01  8.210e+01  8.220e+01 ...  8.370e+01  8.380e+01\n     8.390e+01]\n   [ 8.400e+01  8.410e+01  8.420e+01 ...  8.570e+01  8.580e+01\n     8.590e+01]]]\n\n\n [[[ 8.600e+01  8.610e+01  8.620e+01 ...  8.770e+01  8.780e+01\n     8.790e+01]\n   [ 8.800e+01  8.810e+01  8.820e+01 ...  8.970e+01  8.980e+01\n     8.990e+01]\n   [ 9.000e+01  9.010e+01  9.020e+01 ...  9.170e+01  9.180e+01\n     9.190e+01]\n   [ 9.200e+01  9.210e+01  9.220e+01 ...  9.370e+01  9.380e+01\n     9.390e+01]]\n\n  [[ 9.400e+01  9.410e+01  9.420e+01 ...  9.570e+01  9.580e+01\n     9.590e+01]\n   [ 9.600e+01  9.610e+01  9.620e+01 ...  9.770e+01  9.780e+01\n     9.790e+01]\n   [ 9.800e+01  9.810e+01  9.820e+01 ...  9.970e+01  9.980e+01\n     9.990e+01]\n   [ 1.000e+02  1.001e+02  1.002e+02 ...  1.017e+02  1.018e+02\n     1.019e+02]]\n\n  [[ 1.020e+02  1.021e+02  1.022e+02 ...  1.037e+02  1.038e+02\n     1.039e+02]\n   [ 1.040e+02  1.041e+02  1.042e+02 ...  1.057e+02  1.058e+02\n     1.059e+02]\n   [ 1.060e+02  1.061e+02  1.062e+02 ...  1.077e+02  1.078e+02\n     1.079e+02]\n   [ 1.080e+02  1.081e+02  1.082e+02 ...  1.097e+02  1.098e+02\n     1.099e+02]]\n\n  [[ 1.100e+02  1.101e+02  1.102e+02 ...  1.117e+02  1.118e+02\n     1.119e+02]\n   [ 1.120e+02  1.121e+02  1.122e+02 ...  1.137e+02  1.138e+02\n     1.139e+02]\n   [ 1.140e+02  1.141e+02  1.142e+02 ...  1.157e+02  1.158e+02\n     1.159e+02]\n   [ 1.160e+02  1.161e+02  1.162e+02 ...  1.177e+02  1.178e+02\n     1.179e+02]]]]"),
            (DType::F64, &[12], 100000.0, 3.0, "[3.000000e+00 1.000030e+05 2.000030e+05 3.000030e+05 4.000030e+05\n 5.000030e+05 6.000030e+05 7.000030e+05 8.000030e+05 9.000030e+05\n 1.000003e+06 1.100003e+06]"),
            (DType::I32, &[1001], -7.0, 3.0, "[    3    -4   -11 ... -6983 -6990 -6997]"),
        ]
    }

    fn numpy_scalars() -> Vec<(Tensor, &'static str)> {
        vec![
            (f32s(&[], &[0.10000000149011612]), "0.1"),
            (f64s(&[], &[3.0]), "3.0"),
            (f64s(&[], &[-1.5]), "-1.5"),
            (i32s(&[], &[7]), "7"),
            (bools(&[], &[true]), "True"),
            (bools(&[], &[false]), "False"),
            (c64s(&[], &[(1.0, 2.0)]), "(1+2j)"),
            (c64s(&[], &[(0.0, 1.0)]), "1j"),
            (c128s(&[], &[(1.0 / 3.0, 0.1)]), "(0.3333333333333333+0.1j)"),
            (c128s(&[], &[(1e20, 1.0)]), "(1e+20+1j)"),
            (c128s(&[], &[(1e-5, 1e17)]), "(1e-05+1e+17j)"),
            (c128s(&[], &[(0.0, 0.0)]), "0j"),
            (c128s(&[], &[(2.5, 0.0)]), "(2.5+0j)"),
            (f64s(&[], &[1e-05]), "1e-05"),
            (f64s(&[], &[1e+16]), "1e+16"),
            (f64s(&[], &[1000000000000000.0]), "1000000000000000.0"),
            (f32s(&[], &[1000000.0]), "1e+06"),
            (f32s(&[], &[999999.0]), "999999.0"),
            (f32s(&[], &[9.999999747378752e-05]), "1e-04"),
            (f64s(&[], &[0.0001]), "0.0001"),
            (f64s(&[], &[NAN]), "nan"),
            (f64s(&[], &[-INF]), "-inf"),
            (f64s(&[], &[-0.0]), "-0.0"),
            (c64s(&[], &[(-0.0, 1.0)]), "(-0+1j)"),
            (c64s(&[], &[(0.0, 0.0)]), "0j"),
            (c64s(&[], &[(1.0, -0.0)]), "(1-0j)"),
            (c64s(&[], &[(NAN, INF)]), "(nan+infj)"),
            (c64s(&[], &[(0.0, -INF)]), "-infj"),
            (
                c64s(&[], &[(9.999999747378752e-06, 1.0000000200408773e+20)]),
                "(1e-05+1e+20j)",
            ),
            (
                c64s(&[], &[(0.10000000149011612, -0.20000000298023224)]),
                "(0.1-0.2j)",
            ),
            (f32s(&[], &[0.3333333432674408]), "0.33333334"),
            (f64s(&[], &[0.3333333333333333]), "0.3333333333333333"),
            (f64s(&[], &[1.5e+300]), "1.5e+300"),
            (i64s(&[], &[-1125899906842624]), "-1125899906842624"),
            (u32s(&[], &[4294967295]), "4294967295"),
            (f32s(&[], &[123456792.0]), "1.2345679e+08"),
            (c64s(&[], &[(2.5, 0.0)]), "(2.5+0j)"),
            (
                c64s(&[], &[(-33.875, -3231959.25)]),
                "(-33.875-3.2319592e+06j)",
            ),
            (f32s(&[], &[-3231959.25]), "-3.2319592e+06"),
            (f64s(&[], &[9.313225746154785e-10]), "9.313225746154785e-10"),
        ]
    }
}
