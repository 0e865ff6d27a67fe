//! The `.npy` file format (version 1.0-3.0, C order), as bytes: the core does no I/O.
//!
//! Supported dtypes: `f4 f8 i4 i8 c8 c16 u4` in either byte order (`<` little,
//! `>` big, `=` native, read as little-endian) and `|b1`. Anything else, Fortran
//! order, object arrays and structured dtypes are rejected with a message.

use super::{Data, Tensor, C128, C64};
use crate::types::{DType, TensorType};

const MAGIC: &[u8] = b"\x93NUMPY";

/// Parses a whole `.npy` file.
pub fn read_npy(bytes: &[u8]) -> Result<Tensor, String> {
    let (header, data) = split_header(bytes)?;
    let header = parse_header(header)?;
    let (dtype, big_endian) = parse_descr(&header.descr)?;
    check_data_len(&header, dtype, data.len())?;
    let data = decode(dtype, big_endian, data);
    // `check_data_len` made the data fill the shape, so this cannot fail.
    let count = data.len();
    Tensor::new(header.shape.clone(), data).ok_or_else(|| {
        format!(
            "{} elements of data do not fill shape {:?}",
            count, header.shape
        )
    })
}

/// The type of the array in a `.npy` file of `file_len` bytes whose first
/// bytes are `prefix` (at least the whole header: see [`HEADER_PREFIX`]),
/// checked as [`read_npy`] checks it, without its data.
pub fn read_type(prefix: &[u8], file_len: u64) -> Result<TensorType, String> {
    let (header, data) = split_header(prefix)?;
    let header_len = prefix.len() - data.len();
    let header = parse_header(header)?;
    let (dtype, _) = parse_descr(&header.descr)?;
    let data_len = file_len
        .checked_sub(header_len as u64)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or("truncated .npy header")?;
    check_data_len(&header, dtype, data_len)?;
    Ok(TensorType::new(dtype, header.shape))
}

/// How many bytes of a file [`read_type`] needs: every header nest writes,
/// and NumPy's, is far shorter (a longer one is reported as truncated).
pub const HEADER_PREFIX: usize = 1 << 16;

/// The data after the header must be exactly the shape's bytes.
fn check_data_len(header: &Header, dtype: DType, len: usize) -> Result<(), String> {
    let count = header
        .shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or("the shape's size overflows")?;
    let expected = count
        .checked_mul(dtype.size())
        .ok_or("the data size overflows")?;
    if len < expected {
        return Err(format!(
            "truncated data: shape {:?} of {} needs {} bytes, the file has {}",
            header.shape, header.descr, expected, len
        ));
    }
    if len > expected {
        return Err(format!(
            "{} unexpected bytes after the data of shape {:?}",
            len - expected,
            header.shape
        ));
    }
    Ok(())
}

/// Serializes a tensor as a version 1.0 `.npy` file (2.0 if the header
/// does not fit in 65535 bytes), the header padded to a multiple of 64 bytes.
pub fn write_npy(t: &Tensor) -> Result<Vec<u8>, String> {
    let shape = match t.shape() {
        [d] => format!("({},)", d),
        dims => format!(
            "({})",
            dims.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}",
        descr(t.dtype()),
        shape
    );
    // magic (6) + version (2) + length (2 or 4) + header + '\n', padded to 64.
    let len_size = if header.len() + 11 > 65535 { 4 } else { 2 };
    let unpadded = MAGIC.len() + 2 + len_size + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(unpadded + 64 + t.size() * t.dtype().size());
    out.extend_from_slice(MAGIC);
    if len_size == 2 {
        out.extend_from_slice(&[1, 0]);
        let len = u16::try_from(header.len()).map_err(|_| "header too long")?;
        out.extend_from_slice(&len.to_le_bytes());
    } else {
        out.extend_from_slice(&[2, 0]);
        let len = u32::try_from(header.len()).map_err(|_| "header too long")?;
        out.extend_from_slice(&len.to_le_bytes());
    }
    out.extend_from_slice(header.as_bytes());
    encode(t.data(), &mut out);
    Ok(out)
}

/// The little-endian descr of a dtype.
fn descr(d: DType) -> &'static str {
    match d {
        DType::Bool => "|b1",
        DType::I32 => "<i4",
        DType::I64 => "<i8",
        DType::U32 => "<u4",
        DType::F32 => "<f4",
        DType::F64 => "<f8",
        DType::C64 => "<c8",
        DType::C128 => "<c16",
    }
}

/// Checks the magic and version; returns the header text and the data bytes.
fn split_header(bytes: &[u8]) -> Result<(&str, &[u8]), String> {
    if !bytes.starts_with(MAGIC) {
        return Err("not a .npy file (bad magic string)".into());
    }
    let rest = &bytes[MAGIC.len()..];
    let len_size = match rest {
        [1, 0, ..] => 2,
        [2 | 3, 0, ..] => 4,
        [major, minor, ..] => return Err(format!("unsupported .npy version {}.{}", major, minor)),
        _ => return Err("truncated .npy header".into()),
    };
    let len_bytes = rest.get(2..2 + len_size).ok_or("truncated .npy header")?;
    let len = len_bytes
        .iter()
        .rev()
        .fold(0usize, |n, &b| n << 8 | b as usize);
    let rest = &rest[2 + len_size..];
    if rest.len() < len {
        return Err("truncated .npy header".into());
    }
    let (header, data) = rest.split_at(len);
    let header = std::str::from_utf8(header).map_err(|_| "malformed .npy header: not text")?;
    Ok((header, data))
}

/// The fields of a header dict.
struct Header {
    descr: String,
    shape: Vec<usize>,
}

/// Parses `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
fn parse_header(text: &str) -> Result<Header, String> {
    let malformed = |why: &str| format!("malformed .npy header ({}): {}", why, text.trim_end());
    let mut p = Lexer { rest: text.trim() };
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    p.expect('{').map_err(|e| malformed(&e))?;
    while !p.eat('}') {
        let key = p.string().map_err(|e| malformed(&e))?;
        p.expect(':').map_err(|e| malformed(&e))?;
        match key.as_str() {
            "descr" if p.peek() == Some('[') => {
                return Err("structured dtypes are not supported".into())
            }
            "descr" => descr = Some(p.string().map_err(|e| malformed(&e))?),
            "fortran_order" => fortran = Some(p.boolean().map_err(|e| malformed(&e))?),
            "shape" => shape = Some(p.tuple().map_err(|e| malformed(&e))?),
            other => return Err(malformed(&format!("unknown key '{}'", other))),
        }
        if !p.eat(',') {
            p.expect('}').map_err(|e| malformed(&e))?;
            break;
        }
    }
    if !p.rest.is_empty() {
        return Err(malformed("text after the dict"));
    }
    match (descr, fortran, shape) {
        (Some(_), Some(true), Some(_)) => {
            Err("Fortran-order arrays are not supported; save with C order".into())
        }
        (Some(descr), Some(false), Some(shape)) => Ok(Header { descr, shape }),
        _ => Err(malformed("needs 'descr', 'fortran_order' and 'shape'")),
    }
}

/// A cursor over the Python literal syntax of an `.npy` header.
struct Lexer<'a> {
    rest: &'a str,
}

impl Lexer<'_> {
    fn peek(&mut self) -> Option<char> {
        self.rest = self.rest.trim_start();
        self.rest.chars().next()
    }
    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.rest = &self.rest[c.len_utf8()..];
        }
        found
    }
    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected '{}'", c))
        }
    }
    /// A quoted string without escapes.
    fn string(&mut self) -> Result<String, String> {
        let quote = self.peek().filter(|&c| c == '\'' || c == '"');
        let quote = quote.ok_or("expected a string")?;
        let body = &self.rest[1..];
        let end = body.find(quote).ok_or("unterminated string")?;
        self.rest = &body[end + 1..];
        Ok(body[..end].to_string())
    }
    fn boolean(&mut self) -> Result<bool, String> {
        self.peek();
        for (word, value) in [("True", true), ("False", false)] {
            if let Some(rest) = self.rest.strip_prefix(word) {
                self.rest = rest;
                return Ok(value);
            }
        }
        Err("expected True or False".into())
    }
    /// `()`, `(3,)`, `(3, 4)`.
    fn tuple(&mut self) -> Result<Vec<usize>, String> {
        self.expect('(')?;
        let mut dims = vec![];
        while !self.eat(')') {
            self.peek();
            let end = self
                .rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(self.rest.len());
            let dim = self.rest[..end]
                .parse()
                .map_err(|_| "expected a dimension")?;
            self.rest = &self.rest[end..];
            dims.push(dim);
            if !self.eat(',') {
                self.expect(')')?;
                break;
            }
        }
        Ok(dims)
    }
}

/// The dtype of a descr, and whether its data is big-endian.
fn parse_descr(descr: &str) -> Result<(DType, bool), String> {
    let order = descr.chars().next().unwrap_or(' ');
    let code = &descr[order.len_utf8().min(descr.len())..];
    let dtype = match code {
        "f4" => DType::F32,
        "f8" => DType::F64,
        "i4" => DType::I32,
        "i8" => DType::I64,
        "u4" => DType::U32,
        "c8" => DType::C64,
        "c16" => DType::C128,
        "b1" if order == '|' => return Ok((DType::Bool, false)),
        _ if code == "O" || descr == "O" => {
            return Err("object arrays (dtype 'O', pickled data) are not supported".into())
        }
        _ => {
            return Err(format!(
                "unsupported dtype '{}' (supported: <f4 <f8 <i4 <i8 <u4 <c8 <c16 |b1)",
                descr
            ))
        }
    };
    match order {
        '<' | '=' => Ok((dtype, false)),
        '>' => Ok((dtype, true)),
        _ => Err(format!("unsupported dtype '{}': bad byte order", descr)),
    }
}

/// Decodes raw data of exactly the right length.
pub(super) fn decode(dtype: DType, big: bool, data: &[u8]) -> Data {
    fn words<const N: usize>(data: &[u8], big: bool) -> impl Iterator<Item = [u8; N]> + '_ {
        data.chunks_exact(N).map(move |c| {
            let mut w = [0u8; N];
            w.copy_from_slice(c);
            if big {
                w.reverse();
            }
            w
        })
    }
    match dtype {
        DType::Bool => Data::Bool(data.iter().map(|&b| b != 0).collect()),
        DType::I32 => Data::I32(words(data, big).map(i32::from_le_bytes).collect()),
        DType::I64 => Data::I64(words(data, big).map(i64::from_le_bytes).collect()),
        DType::U32 => Data::U32(words(data, big).map(u32::from_le_bytes).collect()),
        DType::F32 => Data::F32(words(data, big).map(f32::from_le_bytes).collect()),
        DType::F64 => Data::F64(words(data, big).map(f64::from_le_bytes).collect()),
        DType::C64 => {
            // Each element is two f32 (real, imaginary), each in the file's byte order.
            let parts: Vec<f32> = words(data, big).map(f32::from_le_bytes).collect();
            Data::C64(
                parts
                    .chunks_exact(2)
                    .map(|p| C64::new(p[0], p[1]))
                    .collect(),
            )
        }
        DType::C128 => {
            let parts: Vec<f64> = words(data, big).map(f64::from_le_bytes).collect();
            Data::C128(
                parts
                    .chunks_exact(2)
                    .map(|p| C128::new(p[0], p[1]))
                    .collect(),
            )
        }
    }
}

/// Appends the little-endian bytes of `data`.
pub(super) fn encode(data: &Data, out: &mut Vec<u8>) {
    match data {
        Data::Bool(v) => out.extend(v.iter().map(|&b| b as u8)),
        Data::I32(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
        Data::I64(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
        Data::U32(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
        Data::F32(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
        Data::F64(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
        Data::C64(v) => v.iter().for_each(|c| {
            out.extend_from_slice(&c.re.to_le_bytes());
            out.extend_from_slice(&c.im.to_le_bytes());
        }),
        Data::C128(v) => v.iter().for_each(|c| {
            out.extend_from_slice(&c.re.to_le_bytes());
            out.extend_from_slice(&c.im.to_le_bytes());
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // Generated with numpy 2.4.6
    const F32_2X3: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }                                                          \x0a\x00\x00\x80?\x00\x00 @\x00\x00@\xc0\xcd\xcc\xcc=w\xcc+2\x00\x00\x80\x7f";
    const F64_SCALAR: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (), }                                                              \x0a\x00\x00\x00\x00\x00\x00\xf4\xbf";
    const I32_3: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }                                                            \x0a\x01\x00\x00\x00\xfe\xff\xff\xff\xff\xff\xff\x7f";
    const I64_2: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }                                                            \x0a\x00\x00\x00\x00\x00\xff\xff\xff\x07\x00\x00\x00\x00\x00\x00\x00";
    const BOOL_4: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }                                                            \x0a\x01\x00\x00\x01";
    const C64_2: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }                                                            \x0a\x00\x00\x80?\x00\x00\x00@\x00\x00\x00\xbf\x00\x00\x80\xbf";
    const C128_2: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }                                                           \x0a\x00\x00\x00\x00\x00\x00\xf0?\x00\x00\x00\x00\x00\x00\x00@\x00\x00\x00\x00\x00\x00\xe0\xbf\x00\x00\x00\x00\x00\x00\xf0\xbf";
    const C128_BE_2: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '>c16', 'fortran_order': False, 'shape': (2,), }                                                           \x0a?\xf0\x00\x00\x00\x00\x00\x00@\x00\x00\x00\x00\x00\x00\x00\xbf\xe0\x00\x00\x00\x00\x00\x00\xbf\xf0\x00\x00\x00\x00\x00\x00";
    const U32_2: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '<u4', 'fortran_order': False, 'shape': (2,), }                                                            \x0a\x00\x00\x00\x00\xff\xff\xff\xff";
    const F32_EMPTY_0X3: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }                                                          \x0a";
    const F32_BE_2: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }                                                            \x0a?\xc0\x00\x00\xc0\x00\x00\x00";
    const F64_V2_2: &[u8] = b"\x93NUMPY\x02\x00t\x00\x00\x00{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }                                                          \x0a\x00\x00\x00\x00\x00\x00\x08@\x00\x00\x00\x00\x00\x00\x10@";
    const I32_V3_1X1X2: &[u8] = b"\x93NUMPY\x03\x00t\x00\x00\x00{'descr': '<i4', 'fortran_order': False, 'shape': (1, 1, 2), }                                                     \x0a\x05\x00\x00\x00\x06\x00\x00\x00";

    fn tensor(shape: &[usize], data: Data) -> Tensor {
        Tensor::new(shape.to_vec(), data).unwrap()
    }

    /// Little-endian files numpy wrote, and the tensors they hold.
    fn little_endian_cases() -> Vec<(&'static [u8], Tensor)> {
        let c = C64::new;
        vec![
            (
                F32_2X3,
                tensor(
                    &[2, 3],
                    Data::F32(vec![1., 2.5, -3., 0.1, 1e-8, f32::INFINITY]),
                ),
            ),
            (F64_SCALAR, Tensor::scalar_f64(-1.25)),
            (I32_3, tensor(&[3], Data::I32(vec![1, -2, i32::MAX]))),
            (I64_2, tensor(&[2], Data::I64(vec![-(1 << 40), 7]))),
            (
                BOOL_4,
                tensor(&[4], Data::Bool(vec![true, false, false, true])),
            ),
            (
                C64_2,
                tensor(&[2], Data::C64(vec![c(1., 2.), c(-0.5, -1.)])),
            ),
            (
                C128_2,
                tensor(
                    &[2],
                    Data::C128(vec![C128::new(1., 2.), C128::new(-0.5, -1.)]),
                ),
            ),
            (U32_2, tensor(&[2], Data::U32(vec![0, u32::MAX]))),
            (F32_EMPTY_0X3, tensor(&[0, 3], Data::F32(vec![]))),
        ]
    }

    #[test]
    fn reads_what_numpy_writes() {
        for (bytes, expected) in little_endian_cases() {
            assert_eq!(read_npy(bytes).unwrap(), expected);
        }
        assert_eq!(
            read_npy(F32_BE_2).unwrap(),
            tensor(&[2], Data::F32(vec![1.5, -2.]))
        );
        assert_eq!(
            read_npy(C128_BE_2).unwrap(),
            tensor(
                &[2],
                Data::C128(vec![C128::new(1., 2.), C128::new(-0.5, -1.)])
            )
        );
        assert_eq!(
            read_npy(F64_V2_2).unwrap(),
            tensor(&[2], Data::F64(vec![3., 4.]))
        );
        assert_eq!(
            read_npy(I32_V3_1X1X2).unwrap(),
            tensor(&[1, 1, 2], Data::I32(vec![5, 6]))
        );
    }

    #[test]
    fn writes_exactly_what_numpy_writes() {
        for (bytes, t) in little_endian_cases() {
            let ours = write_npy(&t).unwrap();
            assert_eq!(ours, bytes, "{:?}", t);
            assert_eq!(ours.len() % 64, bytes.len() % 64);
        }
    }

    /// `F32_2X3` with its header replaced (padded to the same length).
    fn with_header(header: &str) -> Vec<u8> {
        let mut h = header.to_string();
        while h.len() < 0x75 {
            h.push(' ');
        }
        h.push('\n');
        let mut out = F32_2X3[..8].to_vec();
        out.extend_from_slice(&(h.len() as u16).to_le_bytes());
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(&F32_2X3[128..]);
        out
    }

    fn read_err(bytes: &[u8]) -> String {
        read_npy(bytes).unwrap_err()
    }

    #[test]
    fn header_rewriting_helper_keeps_valid_files_valid() {
        let ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        assert_eq!(with_header(ok), F32_2X3);
        let no_trailing_comma = "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (6,)}";
        assert_eq!(
            read_npy(&with_header(no_trailing_comma)).unwrap().shape(),
            &[6]
        );
    }

    #[test]
    fn rejects_bad_files_with_clear_messages() {
        let head = |d: &str, f: &str, s: &str| {
            with_header(&format!(
                "{{'descr': '{}', 'fortran_order': {}, 'shape': {}, }}",
                d, f, s
            ))
        };
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"PK\x03\x04 not npy".to_vec(), "bad magic"),
            (F32_2X3[..9].to_vec(), "truncated .npy header"),
            (F32_2X3[..60].to_vec(), "truncated .npy header"),
            (
                [&b"\x93NUMPY\x04\x00"[..], &F32_2X3[8..]].concat(),
                "version 4.0",
            ),
            (head("<f4", "True", "(2, 3)"), "Fortran-order"),
            (head("|O", "False", "(6,)"), "object arrays"),
            (head("|u1", "False", "(24,)"), "unsupported dtype '|u1'"),
            (head("<f2", "False", "(12,)"), "unsupported dtype '<f2'"),
            (head("é4", "False", "(6,)"), "unsupported dtype 'é4'"),
            (head("<f4", "False", "(2, 4)"), "truncated data"),
            (head("<f4", "False", "(5,)"), "4 unexpected bytes"),
            (head("<f4", "False", "(2, x)"), "expected a dimension"),
            (head("<f4", "Maybe", "(6,)"), "expected True or False"),
            (
                head("<f4", "False", "(99999999999, 99999999999)"),
                "overflows",
            ),
            (
                with_header("{'descr': '<f4', 'shape': (6,)}"),
                "needs 'descr'",
            ),
            (
                with_header("{'descr': [('a', '<f4')], 'fortran_order': False}"),
                "structured",
            ),
            (
                with_header("{'descr': '<f4', 'colour': 1}"),
                "unknown key 'colour'",
            ),
            (with_header("{'descr': '<f4}"), "unterminated string"),
            (with_header("['descr']"), "expected '{'"),
            (
                with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (6,)} x"),
                "after the dict",
            ),
        ];
        for (bytes, needle) in cases {
            let e = read_err(&bytes);
            assert!(e.contains(needle), "expected {:?} in {:?}", needle, e);
        }
    }

    #[test]
    fn round_trips_every_dtype() {
        for (_, t) in little_endian_cases() {
            assert_eq!(read_npy(&write_npy(&t).unwrap()).unwrap(), t);
        }
        let nan = Tensor::scalar_f32(f32::NAN);
        let back = read_npy(&write_npy(&nan).unwrap()).unwrap();
        assert!(back.get_f64(0).is_nan());
    }
}
