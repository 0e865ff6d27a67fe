//! Generic helpers shared by interpreter kernels: row-major strides, offset
//! tables for strided access, gather/scatter over [`Data`], and macros that
//! apply one generic body to every dtype of a buffer.
//!
//! Strided primitives (transpose, broadcast, slice, reverse, pad, ...) are all
//! "affine gathers": output element `(i_0, .., i_{r-1})` reads the source at
//! flat offset `t_0[i_0] + .. + t_{r-1}[i_{r-1}]`, one small table per output
//! dim. [`offsets`] expands the tables once per call (one allocation, no work
//! per element beyond an add), and [`gather`]/[`scatter`] move the elements.

use super::{Data, Tensor};
use crate::types::Shape;

/// A broken invariant in a kernel: a bug in nest, never the user's input
/// (the shape rules make these unreachable). It becomes the IR's internal
/// error (`PrimError::Internal`), so its text is the bare message.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct KernelError(pub String);

/// The result of a kernel that can only fail on a broken invariant.
pub type KResult<T> = Result<T, KernelError>;

/// Applies `$body` (which sees the buffer's `Vec<T>` as `$v` and yields a
/// `Vec<T>` of the same `T`) to whichever dtype `$data` holds.
macro_rules! map_data {
    ($data:expr, $v:ident => $body:expr) => {
        match $data {
            $crate::tensor::Data::Bool($v) => $crate::tensor::Data::Bool($body),
            $crate::tensor::Data::I32($v) => $crate::tensor::Data::I32($body),
            $crate::tensor::Data::I64($v) => $crate::tensor::Data::I64($body),
            $crate::tensor::Data::U32($v) => $crate::tensor::Data::U32($body),
            $crate::tensor::Data::F32($v) => $crate::tensor::Data::F32($body),
            $crate::tensor::Data::F64($v) => $crate::tensor::Data::F64($body),
            $crate::tensor::Data::C64($v) => $crate::tensor::Data::C64($body),
            $crate::tensor::Data::C128($v) => $crate::tensor::Data::C128($body),
        }
    };
}

/// Like [`map_data!`] for two buffers of the same dtype, `$body` yielding a
/// `Vec<T>` that becomes a buffer of that dtype; mismatched dtypes give `$mismatch`.
macro_rules! zip_map_data {
    ($a:expr, $b:expr, ($x:ident, $y:ident) => $body:expr, else $mismatch:expr) => {
        match ($a, $b) {
            ($crate::tensor::Data::Bool($x), $crate::tensor::Data::Bool($y)) => {
                $crate::tensor::Data::Bool($body)
            }
            ($crate::tensor::Data::I32($x), $crate::tensor::Data::I32($y)) => {
                $crate::tensor::Data::I32($body)
            }
            ($crate::tensor::Data::I64($x), $crate::tensor::Data::I64($y)) => {
                $crate::tensor::Data::I64($body)
            }
            ($crate::tensor::Data::U32($x), $crate::tensor::Data::U32($y)) => {
                $crate::tensor::Data::U32($body)
            }
            ($crate::tensor::Data::F32($x), $crate::tensor::Data::F32($y)) => {
                $crate::tensor::Data::F32($body)
            }
            ($crate::tensor::Data::F64($x), $crate::tensor::Data::F64($y)) => {
                $crate::tensor::Data::F64($body)
            }
            ($crate::tensor::Data::C64($x), $crate::tensor::Data::C64($y)) => {
                $crate::tensor::Data::C64($body)
            }
            ($crate::tensor::Data::C128($x), $crate::tensor::Data::C128($y)) => {
                $crate::tensor::Data::C128($body)
            }
            _ => $mismatch,
        }
    };
}

/// Like [`map_data!`] for two buffers that must hold the same dtype: `$body`
/// sees both vectors and yields a value of one common type; mismatched dtypes
/// give `$mismatch`.
macro_rules! zip_data {
    ($a:expr, $b:expr, ($x:ident, $y:ident) => $body:expr, else $mismatch:expr) => {
        match ($a, $b) {
            ($crate::tensor::Data::Bool($x), $crate::tensor::Data::Bool($y)) => $body,
            ($crate::tensor::Data::I32($x), $crate::tensor::Data::I32($y)) => $body,
            ($crate::tensor::Data::I64($x), $crate::tensor::Data::I64($y)) => $body,
            ($crate::tensor::Data::U32($x), $crate::tensor::Data::U32($y)) => $body,
            ($crate::tensor::Data::F32($x), $crate::tensor::Data::F32($y)) => $body,
            ($crate::tensor::Data::F64($x), $crate::tensor::Data::F64($y)) => $body,
            ($crate::tensor::Data::C64($x), $crate::tensor::Data::C64($y)) => $body,
            ($crate::tensor::Data::C128($x), $crate::tensor::Data::C128($y)) => $body,
            _ => $mismatch,
        }
    };
}

// Exported for kernels in other files; not every macro has a user yet.
#[allow(unused_imports)]
pub(crate) use map_data;
#[allow(unused_imports)]
pub(crate) use zip_data;
pub(crate) use zip_map_data;

/// Row-major strides of `shape` (in elements).
pub fn strides(shape: &[usize]) -> Vec<usize> {
    let mut out = vec![0; shape.len()];
    let mut acc = 1usize;
    for (s, d) in out.iter_mut().zip(shape).rev() {
        *s = acc;
        acc = acc.saturating_mul(*d);
    }
    out
}

/// `t_0[i_0] + .. + t_{r-1}[i_{r-1}]` for every multi-index in row-major
/// order; `[0]` for no tables (a scalar), empty if any table is empty.
pub fn offsets(tables: &[Vec<usize>]) -> Vec<usize> {
    let mut out = vec![0usize];
    for table in tables {
        let mut next = Vec::with_capacity(out.len().saturating_mul(table.len()));
        for &base in &out {
            next.extend(table.iter().map(|&t| base + t));
        }
        out = next;
    }
    out
}

/// The table `start*stride, (start+step)*stride, ..` of `count` entries.
pub fn axis_table(start: usize, step: usize, count: usize, stride: usize) -> Vec<usize> {
    (0..count).map(|i| (start + i * step) * stride).collect()
}

/// `src[offsets[0]], src[offsets[1]], ..`; an error if an offset is out of range.
pub fn gather(src: &Data, offsets: &[usize]) -> KResult<Data> {
    fn pick<T: Copy>(v: &[T], offsets: &[usize]) -> KResult<Vec<T>> {
        let mut out = Vec::with_capacity(offsets.len());
        for &o in offsets {
            out.push(*v.get(o).ok_or_else(|| out_of_range(o, v.len()))?);
        }
        Ok(out)
    }
    Ok(map_data!(src, v => pick(v, offsets)?))
}

/// `dst[offsets[i]] = src[i]` for every `i`; an error on a dtype mismatch or
/// an offset out of range.
pub fn scatter(dst: &mut Data, src: &Data, offsets: &[usize]) -> KResult<()> {
    fn put<T: Copy>(d: &mut [T], s: &[T], offsets: &[usize]) -> KResult<()> {
        let n = d.len();
        for (&o, &x) in offsets.iter().zip(s) {
            *d.get_mut(o).ok_or_else(|| out_of_range(o, n))? = x;
        }
        Ok(())
    }
    let (from, to) = (src.dtype(), dst.dtype());
    zip_data!(dst, src, (d, s) => put(d, s, offsets),
        else Err(KernelError(format!("scatter of {} into {}", from, to))))
}

/// The offsets of all dims but the last, and the last dim's table (a scalar
/// is one element at offset 0).
fn split_last(tables: &[Vec<usize>]) -> (Vec<usize>, &[usize]) {
    match tables.split_last() {
        Some((last, lead)) => (offsets(lead), last),
        None => (vec![0], &[0]),
    }
}

/// Whether a table reads consecutive elements, so a row is one slice copy.
fn is_run(t: &[usize]) -> bool {
    t.windows(2).all(|w| w[1] == w[0] + 1)
}

/// [`gather`] of `offsets(tables)`, copying whole rows when the last dim is
/// contiguous.
pub fn gather_tables(src: &Data, tables: &[Vec<usize>]) -> KResult<Data> {
    fn pick<T: Copy>(v: &[T], outer: &[usize], last: &[usize]) -> KResult<Vec<T>> {
        let mut out = Vec::with_capacity(outer.len().saturating_mul(last.len()));
        let run = last.first().filter(|_| is_run(last));
        for &o in outer {
            if let Some(&first) = run {
                let (a, b) = (o + first, o + first + last.len());
                out.extend_from_slice(v.get(a..b).ok_or_else(|| out_of_range(b, v.len()))?);
            } else {
                for &i in last {
                    out.push(*v.get(o + i).ok_or_else(|| out_of_range(o + i, v.len()))?);
                }
            }
        }
        Ok(out)
    }
    let (outer, last) = split_last(tables);
    Ok(map_data!(src, v => pick(v, &outer, last)?))
}

/// [`scatter`] to `offsets(tables)`, copying whole rows when the last dim is
/// contiguous.
pub fn scatter_tables(dst: &mut Data, src: &Data, tables: &[Vec<usize>]) -> KResult<()> {
    fn put<T: Copy>(d: &mut [T], s: &[T], outer: &[usize], last: &[usize]) -> KResult<()> {
        let (n, len) = (d.len(), last.len());
        let run = last.first().filter(|_| is_run(last));
        for (&o, row) in outer.iter().zip(s.chunks(len.max(1))) {
            if let (Some(&first), true) = (run, row.len() == len) {
                let (a, b) = (o + first, o + first + len);
                d.get_mut(a..b)
                    .ok_or_else(|| out_of_range(b, n))?
                    .copy_from_slice(row);
            } else {
                for (&i, &x) in last.iter().zip(row) {
                    *d.get_mut(o + i).ok_or_else(|| out_of_range(o + i, n))? = x;
                }
            }
        }
        Ok(())
    }
    let (from, to) = (src.dtype(), dst.dtype());
    let (outer, last) = split_last(tables);
    zip_data!(dst, src, (d, s) => put(d, s, &outer, last),
        else Err(KernelError(format!("scatter of {} into {}", from, to))))
}

/// `n` copies of the first element of `value` (a scalar buffer).
pub fn filled(value: &Data, n: usize) -> KResult<Data> {
    fn fill<T: Copy>(v: &[T], n: usize) -> KResult<Vec<T>> {
        let x = v
            .first()
            .copied()
            .ok_or_else(|| KernelError("empty fill value".into()))?;
        Ok(vec![x; n])
    }
    Ok(map_data!(value, v => fill(v, n)?))
}

/// `out[i] = f(a[i])`, one allocation.
pub fn map<T: Copy, U>(a: &[T], f: impl Fn(T) -> U) -> Vec<U> {
    a.iter().map(|&x| f(x)).collect()
}

/// `out[i] = f(a[i], b[i])`; an error if the lengths differ.
pub fn zip<T: Copy, U>(a: &[T], b: &[T], f: impl Fn(T, T) -> U) -> KResult<Vec<U>> {
    if a.len() != b.len() {
        return Err(KernelError(format!(
            "operand lengths differ: {} and {}",
            a.len(),
            b.len()
        )));
    }
    Ok(a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect())
}

/// A tensor of `shape` over `data`, or an internal error if the sizes disagree.
pub fn tensor(shape: impl Into<Shape>, data: Data) -> KResult<Tensor> {
    let shape = shape.into();
    let n = data.len();
    Tensor::new(shape.clone(), data).ok_or_else(|| {
        KernelError(format!(
            "{} elements for shape {}",
            n,
            crate::types::ShapeDisplay(&shape)
        ))
    })
}

/// The float dtypes, computed through `f64`: for `+ - * / sqrt` rounding an
/// `f64` result to `f32` gives the correctly rounded `f32` result (53 >= 2*24+2
/// bits), and for transcendental functions it is at least as accurate.
pub trait Float: Copy + PartialOrd {
    const INFINITY: Self;
    const NEG_INFINITY: Self;
    fn to_f64(self) -> f64;
    fn from_f64(x: f64) -> Self;
    fn is_nan(self) -> bool;
}

impl Float for f32 {
    const INFINITY: Self = f32::INFINITY;
    const NEG_INFINITY: Self = f32::NEG_INFINITY;
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    fn is_nan(self) -> bool {
        f32::is_nan(self)
    }
}

impl Float for f64 {
    const INFINITY: Self = f64::INFINITY;
    const NEG_INFINITY: Self = f64::NEG_INFINITY;
    fn to_f64(self) -> f64 {
        self
    }
    fn from_f64(x: f64) -> Self {
        x
    }
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
}

/// The complex dtypes, computed through `f64` pairs: `c64` is widened and
/// its results rounded once, `c128` is computed as is.
pub trait Complex: Copy + PartialEq {
    const DTYPE: crate::types::DType;
    fn widen(self) -> num_complex::Complex<f64>;
    fn narrow(z: num_complex::Complex<f64>) -> Self;
    /// A buffer of this dtype.
    fn data(v: Vec<Self>) -> Data;
    /// A buffer of this dtype's real dtype (`f32` for `c64`), rounding `v`.
    fn real_data(v: Vec<f64>) -> Data;
}

impl Complex for super::C64 {
    const DTYPE: crate::types::DType = crate::types::DType::C64;
    fn widen(self) -> num_complex::Complex<f64> {
        num_complex::Complex::new(self.re as f64, self.im as f64)
    }
    fn narrow(z: num_complex::Complex<f64>) -> Self {
        super::C64::new(z.re as f32, z.im as f32)
    }
    fn data(v: Vec<Self>) -> Data {
        Data::C64(v)
    }
    fn real_data(v: Vec<f64>) -> Data {
        Data::F32(v.into_iter().map(|x| x as f32).collect())
    }
}

impl Complex for super::C128 {
    const DTYPE: crate::types::DType = crate::types::DType::C128;
    fn widen(self) -> num_complex::Complex<f64> {
        self
    }
    fn narrow(z: num_complex::Complex<f64>) -> Self {
        z
    }
    fn data(v: Vec<Self>) -> Data {
        Data::C128(v)
    }
    fn real_data(v: Vec<f64>) -> Data {
        Data::F64(v)
    }
}

/// The integer dtypes with XLA's wrapping semantics: overflow wraps, `x / 0`
/// is all ones (`-1` signed, `MAX` for `u32`), `MIN / -1` wraps to `MIN`,
/// `x % 0 = x`, and a shift by an amount `>=` the bit width (read as
/// unsigned) gives 0.
pub trait Int:
    Copy
    + Ord
    + std::ops::Not<Output = Self>
    + std::ops::BitAnd<Output = Self>
    + std::ops::BitOr<Output = Self>
    + std::ops::BitXor<Output = Self>
{
    const ZERO: Self;
    const ONE: Self;
    const MIN: Self;
    const MAX: Self;
    fn wadd(self, o: Self) -> Self;
    fn wsub(self, o: Self) -> Self;
    fn wmul(self, o: Self) -> Self;
    fn wneg(self) -> Self;
    fn wdiv(self, o: Self) -> Self;
    fn wrem(self, o: Self) -> Self;
    /// `|x|`, wrapping (`|MIN| = MIN`); the identity on unsigned.
    fn wabs(self) -> Self;
    /// `-1`, `0` or `1`.
    fn sign(self) -> Self;
    fn shl(self, n: Self) -> Self;
    fn lshr(self, n: Self) -> Self;
}

macro_rules! impl_int {
    ($t:ty, $u:ty, abs: $abs:expr, sign: $sign:expr) => {
        impl Int for $t {
            const ZERO: Self = 0;
            const ONE: Self = 1;
            const MIN: Self = <$t>::MIN;
            const MAX: Self = <$t>::MAX;
            fn wadd(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            fn wsub(self, o: Self) -> Self {
                self.wrapping_sub(o)
            }
            fn wmul(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            fn wneg(self) -> Self {
                self.wrapping_neg()
            }
            fn wdiv(self, o: Self) -> Self {
                if o == 0 {
                    !0
                } else {
                    self.wrapping_div(o)
                }
            }
            fn wrem(self, o: Self) -> Self {
                if o == 0 {
                    self
                } else {
                    self.wrapping_rem(o)
                }
            }
            fn wabs(self) -> Self {
                $abs(self)
            }
            fn sign(self) -> Self {
                $sign(self)
            }
            fn shl(self, n: Self) -> Self {
                let n = n as $u;
                if n >= <$t>::BITS as $u {
                    0
                } else {
                    self << n
                }
            }
            fn lshr(self, n: Self) -> Self {
                let n = n as $u;
                if n >= <$t>::BITS as $u {
                    0
                } else {
                    ((self as $u) >> n) as $t
                }
            }
        }
    };
}

impl_int!(i32, u32, abs: i32::wrapping_abs, sign: i32::signum);
impl_int!(i64, u64, abs: i64::wrapping_abs, sign: i64::signum);
impl_int!(u32, u32, abs: |x: u32| x, sign: |x: u32| x.min(1));

/// `base ** exp` by repeated squaring, wrapping. A negative exponent gives
/// 0, except for base 1 (gives 1) and base -1 (gives ±1 by parity).
pub fn int_pow<T: Int>(base: T, exp: T) -> T {
    if exp < T::ZERO {
        return if base == T::ONE {
            T::ONE
        } else if base == T::ONE.wneg() {
            if exp & T::ONE == T::ZERO {
                T::ONE
            } else {
                base
            }
        } else {
            T::ZERO
        };
    }
    let (mut acc, mut b, mut e) = (T::ONE, base, exp);
    while e > T::ZERO {
        if e & T::ONE != T::ZERO {
            acc = acc.wmul(b);
        }
        b = b.wmul(b);
        e = e.lshr(T::ONE);
    }
    acc
}

fn out_of_range(o: usize, n: usize) -> KernelError {
    KernelError(format!("offset {} out of range for {} elements", o, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strides_are_row_major() {
        assert_eq!(strides(&[2, 3, 4]), vec![12, 4, 1]);
        assert_eq!(strides(&[]), Vec::<usize>::new());
        assert_eq!(strides(&[5, 0, 2]), vec![0, 2, 1]);
    }

    #[test]
    fn offsets_enumerate_row_major() {
        // a transpose of a [2, 3] array: out[j, i] = src[i, j] = src[3 i + j]
        let t = offsets(&[vec![0, 1, 2], vec![0, 3]]);
        assert_eq!(t, vec![0, 3, 1, 4, 2, 5]);
        assert_eq!(offsets(&[]), vec![0]);
        assert!(offsets(&[vec![0, 1], vec![]]).is_empty());
        assert_eq!(axis_table(1, 2, 3, 10), vec![10, 30, 50]);
    }

    #[test]
    fn gather_scatter_fill() {
        let src = Data::I32(vec![10, 11, 12]);
        assert_eq!(gather(&src, &[2, 0, 0]), Ok(Data::I32(vec![12, 10, 10])));
        assert!(gather(&src, &[3]).is_err());
        let mut dst = Data::I32(vec![0; 4]);
        assert_eq!(scatter(&mut dst, &src, &[3, 1, 0]), Ok(()));
        assert_eq!(dst, Data::I32(vec![12, 11, 0, 10]));
        assert!(scatter(&mut dst, &Data::F32(vec![1.0]), &[0]).is_err());
        assert!(scatter(&mut dst, &src, &[4]).is_err());
        assert_eq!(
            filled(&Data::Bool(vec![true]), 2),
            Ok(Data::Bool(vec![true; 2]))
        );
        assert!(filled(&Data::Bool(vec![]), 2).is_err());
    }

    #[test]
    fn table_copies_match_offsets() {
        let src = Data::I64((0..12).collect());
        // rows 1..3, columns 1..3 of a [3, 4] array (contiguous rows), then a
        // transpose of its first two columns (strided rows)
        let block = [vec![4, 8], vec![1, 2]];
        assert_eq!(gather_tables(&src, &block), gather(&src, &offsets(&block)));
        assert_eq!(
            gather_tables(&src, &block),
            Ok(Data::I64(vec![5, 6, 9, 10]))
        );
        let cols = [vec![0, 1], vec![0, 4, 8]];
        assert_eq!(
            gather_tables(&src, &cols),
            Ok(Data::I64(vec![0, 4, 8, 1, 5, 9]))
        );
        assert_eq!(gather_tables(&src, &[]), Ok(Data::I64(vec![0])));
        assert!(gather_tables(&src, &[vec![11, 12]]).is_err());
        let mut dst = Data::I64(vec![0; 6]);
        let rows = [vec![0, 3], vec![1, 2]];
        assert_eq!(
            scatter_tables(&mut dst, &Data::I64(vec![1, 2, 3, 4]), &rows),
            Ok(())
        );
        assert_eq!(dst, Data::I64(vec![0, 1, 2, 0, 3, 4]));
        let strided = [vec![0, 3], vec![0, 2]];
        assert_eq!(
            scatter_tables(&mut dst, &Data::I64(vec![7, 8, 9, 10]), &strided),
            Ok(())
        );
        assert_eq!(dst, Data::I64(vec![7, 1, 8, 9, 3, 10]));
        assert!(scatter_tables(&mut dst, &Data::I64(vec![1, 2]), &[vec![5, 6]]).is_err());
        assert!(scatter_tables(&mut dst, &Data::F32(vec![1.0]), &[vec![0]]).is_err());
    }

    #[test]
    fn int_semantics() {
        assert_eq!(7i32.wdiv(0), -1);
        assert_eq!(7u32.wdiv(0), u32::MAX);
        assert_eq!(i32::MIN.wdiv(-1), i32::MIN);
        assert_eq!((-7i32).wrem(2), -1);
        assert_eq!(7i64.wrem(0), 7);
        assert_eq!(i32::MIN.wrem(-1), 0);
        assert_eq!(1i32.shl(31), i32::MIN);
        assert_eq!(1i32.shl(32), 0);
        assert_eq!(1i32.shl(-1), 0);
        assert_eq!((-1i32).lshr(28), 15);
        assert_eq!(u32::MAX.lshr(40), 0);
        assert_eq!(i32::MIN.wabs(), i32::MIN);
        assert_eq!((-5i64).sign(), -1);
        assert_eq!(9u32.sign(), 1);
    }

    #[test]
    fn int_pow_by_squaring() {
        assert_eq!(int_pow(3i32, 4), 81);
        assert_eq!(int_pow(-2i64, 3), -8);
        assert_eq!(int_pow(0i32, 0), 1);
        assert_eq!(int_pow(2i32, -1), 0);
        assert_eq!(int_pow(1i32, -5), 1);
        assert_eq!(int_pow(-1i32, -5), -1);
        assert_eq!(int_pow(-1i32, -4), 1);
        assert_eq!(int_pow(2u32, 32), 0); // wraps
        assert_eq!(int_pow(3i32, 21), 1_870_418_611); // 3^21 = 10460353203 mod 2^32
    }

    #[test]
    fn zip_checks_lengths() {
        assert_eq!(zip(&[1, 2], &[3, 4], |x, y| x * y), Ok(vec![3, 8]));
        assert!(zip(&[1, 2], &[3], |x, y| x * y).is_err());
        assert!(tensor(vec![2, 2], Data::F32(vec![0.0; 3])).is_err());
    }
}
