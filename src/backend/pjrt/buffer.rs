//! Device buffers: host → device transfers, shape queries, device → host.

use super::{byte_len, dims_i64, ffi, Client, ClientInner, PjrtError, Result};
use crate::types::DType;
use std::ffi::c_void;
use std::sync::Arc;

/// The PJRT element type of a nest dtype.
pub(super) fn pjrt_type(dtype: DType) -> ffi::PJRT_Buffer_Type {
    match dtype {
        DType::Bool => ffi::PJRT_Buffer_Type_PRED,
        DType::I32 => ffi::PJRT_Buffer_Type_S32,
        DType::I64 => ffi::PJRT_Buffer_Type_S64,
        DType::U32 => ffi::PJRT_Buffer_Type_U32,
        DType::F32 => ffi::PJRT_Buffer_Type_F32,
        DType::F64 => ffi::PJRT_Buffer_Type_F64,
        DType::C64 => ffi::PJRT_Buffer_Type_C64,
        DType::C128 => ffi::PJRT_Buffer_Type_C128,
    }
}

/// The nest dtype of a PJRT element type, if nest has one.
fn nest_dtype(t: ffi::PJRT_Buffer_Type) -> Option<DType> {
    [
        DType::Bool,
        DType::I32,
        DType::I64,
        DType::U32,
        DType::F32,
        DType::F64,
        DType::C64,
        DType::C128,
    ]
    .into_iter()
    .find(|&d| pjrt_type(d) == t)
}

/// An owned `PJRT_Buffer*`, destroyed on drop.
pub(super) struct RawBuffer {
    client: Arc<ClientInner>,
    raw: *mut ffi::PJRT_Buffer,
}

impl RawBuffer {
    /// Takes ownership of a buffer the plugin returned for `client`.
    pub(super) fn new(client: Arc<ClientInner>, raw: *mut ffi::PJRT_Buffer) -> RawBuffer {
        RawBuffer { client, raw }
    }
}

impl Drop for RawBuffer {
    fn drop(&mut self) {
        if self.raw.is_null() {
            return;
        }
        let api = self.client.api;
        let mut args = ffi::PJRT_Buffer_Destroy_Args::new();
        args.buffer = self.raw;
        // SAFETY: `raw` is live and destroyed exactly once; the client it
        // belongs to is kept alive by `self.client`.
        let _ = unsafe { api.call("PJRT_Buffer_Destroy", api.0.PJRT_Buffer_Destroy, &mut args) };
    }
}

/// An array on the client's device, with its dtype and shape.
pub struct Buffer {
    raw: RawBuffer,
    dtype: DType,
    shape: Vec<usize>,
}

// SAFETY: a PJRT buffer may be read, used as an argument and destroyed from
// any thread; nest never mutates one in place.
unsafe impl Send for Buffer {}
// SAFETY: as above: shared use is reads only.
unsafe impl Sync for Buffer {}

impl Buffer {
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    pub(super) fn raw(&self) -> *mut ffi::PJRT_Buffer {
        self.raw.raw
    }

    pub(super) fn client(&self) -> &Arc<ClientInner> {
        &self.raw.client
    }

    /// Wraps an output buffer, asking the plugin for its type and shape.
    pub(super) fn from_raw(raw: RawBuffer) -> Result<Buffer> {
        let api = raw.client.api;
        let mut ty = ffi::PJRT_Buffer_ElementType_Args::new();
        ty.buffer = raw.raw;
        // SAFETY: the buffer is live.
        unsafe {
            api.call(
                "PJRT_Buffer_ElementType",
                api.0.PJRT_Buffer_ElementType,
                &mut ty,
            )
        }?;
        let dtype = nest_dtype(ty.type_).ok_or_else(|| {
            PjrtError::invalid(
                "PJRT_Buffer_ElementType",
                format!(
                    "the plugin returned PJRT element type {}, which nest has no dtype for",
                    ty.type_
                ),
            )
        })?;
        let mut dims = ffi::PJRT_Buffer_Dimensions_Args::new();
        dims.buffer = raw.raw;
        // SAFETY: the buffer is live.
        unsafe {
            api.call(
                "PJRT_Buffer_Dimensions",
                api.0.PJRT_Buffer_Dimensions,
                &mut dims,
            )
        }?;
        let shape = if dims.num_dims == 0 || dims.dims.is_null() {
            Vec::new()
        } else {
            // SAFETY: `dims` has `num_dims` entries and lives as long as the
            // buffer, which is live.
            unsafe { std::slice::from_raw_parts(dims.dims, dims.num_dims) }
                .iter()
                .map(|&d| usize::try_from(d))
                .collect::<Result<Vec<usize>, _>>()
                .map_err(|_| {
                    PjrtError::invalid(
                        "PJRT_Buffer_Dimensions",
                        "the plugin returned a negative dimension",
                    )
                })?
        };
        Ok(Buffer { raw, dtype, shape })
    }

    /// Copies the buffer to the host: its dtype, shape and elements in
    /// row-major order (complex as interleaved pairs of its real dtype, `bool` as bytes 0/1).
    pub fn to_host(&self) -> Result<(DType, Vec<usize>, Vec<u8>)> {
        const CALL: &str = "PJRT_Buffer_ToHostBuffer";
        let api = self.raw.client.api;
        let len = byte_len(self.dtype.size(), &self.shape)
            .ok_or_else(|| PjrtError::invalid(CALL, "the buffer is too large for this host"))?;
        // Ask for the dense row-major layout explicitly.
        let minor_to_major: Vec<i64> = (0..self.shape.len() as i64).rev().collect();
        let mut layout = ffi::PJRT_Buffer_MemoryLayout::new();
        layout.type_ = ffi::PJRT_Buffer_MemoryLayout_Type_Tiled;
        layout.tiled = ffi::PJRT_Buffer_MemoryLayout_Tiled::new();
        layout.tiled.minor_to_major = minor_to_major.as_ptr();
        layout.tiled.minor_to_major_size = minor_to_major.len();
        let mut args = ffi::PJRT_Buffer_ToHostBuffer_Args::new();
        args.src = self.raw.raw;
        args.host_layout = &mut layout;
        // First call, with no destination: the plugin reports the size.
        // SAFETY: the buffer is live; the layout and its list outlive the call.
        unsafe { api.call(CALL, api.0.PJRT_Buffer_ToHostBuffer, &mut args) }?;
        if args.dst_size != len {
            return Err(PjrtError::invalid(
                CALL,
                format!(
                    "the plugin needs {} bytes for {} data of shape {:?}, not {len}",
                    args.dst_size,
                    self.dtype.name(),
                    self.shape
                ),
            ));
        }
        let mut bytes = vec![0u8; len];
        args.dst = bytes.as_mut_ptr().cast::<c_void>();
        // SAFETY: `bytes` has exactly `dst_size` writable bytes and is not
        // touched until the transfer's event has completed below.
        unsafe { api.call(CALL, api.0.PJRT_Buffer_ToHostBuffer, &mut args) }?;
        api.await_event(CALL, args.event)?;
        Ok((self.dtype, self.shape.clone(), bytes))
    }
}

impl Client {
    /// Copies a row-major host array to the device. `bytes` must hold
    /// exactly the elements of `shape` (complex as interleaved pairs of its real dtype,
    /// `bool` as bytes 0 or 1); the call returns once the plugin is done
    /// reading them.
    pub fn buffer_from_host(&self, dtype: DType, shape: &[usize], bytes: &[u8]) -> Result<Buffer> {
        self.buffer_from_host_on(0, dtype, shape, bytes)
    }

    /// The same, onto addressable device `device` (an index below
    /// [`Client::num_devices`]).
    pub fn buffer_from_host_on(
        &self,
        device: usize,
        dtype: DType,
        shape: &[usize],
        bytes: &[u8],
    ) -> Result<Buffer> {
        const CALL: &str = "PJRT_Client_BufferFromHostBuffer";
        let target = *(self.inner.devices.get(device)).ok_or_else(|| {
            PjrtError::invalid(
                CALL,
                format!(
                    "no device {device}: the plugin has {}",
                    self.inner.devices.len()
                ),
            )
        })?;
        let expected = byte_len(dtype.size(), shape)
            .ok_or_else(|| PjrtError::invalid(CALL, format!("shape {shape:?} is too large")))?;
        if bytes.len() != expected {
            return Err(PjrtError::invalid(
                CALL,
                format!(
                    "{} data of shape {shape:?} needs {expected} bytes, got {}",
                    dtype.name(),
                    bytes.len()
                ),
            ));
        }
        if dtype == DType::Bool && bytes.iter().any(|&b| b > 1) {
            return Err(PjrtError::invalid(CALL, "bool data must be bytes 0 or 1"));
        }
        let dims = dims_i64(CALL, shape)?;
        let c = &self.inner;
        let mut args = ffi::PJRT_Client_BufferFromHostBuffer_Args::new();
        args.client = c.raw;
        args.data = bytes.as_ptr().cast::<c_void>();
        args.type_ = pjrt_type(dtype);
        args.dims = dims.as_ptr();
        args.num_dims = dims.len();
        args.host_buffer_semantics = ffi::PJRT_HostBufferSemantics_kImmutableUntilTransferCompletes;
        args.device = target;
        // SAFETY: the client and device are live; `bytes` holds exactly the
        // dense array described by `dims` and stays borrowed until the
        // done-with-host-buffer event has completed below.
        unsafe {
            c.api
                .call(CALL, c.api.0.PJRT_Client_BufferFromHostBuffer, &mut args)
        }?;
        let raw = RawBuffer::new(c.clone(), args.buffer);
        c.api.await_event(CALL, args.done_with_host_buffer)?;
        if raw.raw.is_null() {
            return Err(PjrtError::invalid(CALL, "the plugin returned no buffer"));
        }
        Ok(Buffer {
            raw,
            dtype,
            shape: shape.to_vec(),
        })
    }
}
