//! Compiled executables: running them, counting outputs, serializing.

use super::buffer::RawBuffer;
use super::{ffi, Api, Buffer, ClientInner, PjrtError, Result};
use crate::types::DType;
use std::ptr;
use std::sync::Arc;

/// A program compiled for the client's device.
pub struct Executable {
    client: Arc<ClientInner>,
    raw: *mut ffi::PJRT_LoadedExecutable,
    num_outputs: usize,
    params: Option<Vec<(DType, Vec<usize>)>>,
    /// The devices the program runs on at once (1, or the partitions of
    /// an SPMD program).
    partitions: usize,
}

// SAFETY: a loaded PJRT executable may be executed concurrently from several
// threads and destroyed from any thread.
unsafe impl Send for Executable {}
// SAFETY: as above.
unsafe impl Sync for Executable {}

impl Drop for Executable {
    fn drop(&mut self) {
        let api = self.client.api;
        let mut args = ffi::PJRT_LoadedExecutable_Destroy_Args::new();
        args.executable = self.raw;
        // SAFETY: `raw` is live and destroyed exactly once; its client is
        // kept alive by `self.client`.
        let _ = unsafe {
            api.call(
                "PJRT_LoadedExecutable_Destroy",
                api.0.PJRT_LoadedExecutable_Destroy,
                &mut args,
            )
        };
    }
}

/// A `PJRT_Executable*` (the unloaded view of an executable), destroyed on
/// drop.
struct Unloaded {
    api: Api,
    raw: *mut ffi::PJRT_Executable,
}

impl Drop for Unloaded {
    fn drop(&mut self) {
        let mut args = ffi::PJRT_Executable_Destroy_Args::new();
        args.executable = self.raw;
        // SAFETY: `raw` came from `PJRT_LoadedExecutable_GetExecutable`,
        // which hands ownership to the caller; destroyed exactly once.
        let _ = unsafe {
            self.api.call(
                "PJRT_Executable_Destroy",
                self.api.0.PJRT_Executable_Destroy,
                &mut args,
            )
        };
    }
}

impl Executable {
    /// Takes ownership of a loaded executable the plugin returned.
    pub(super) fn new(
        client: Arc<ClientInner>,
        raw: *mut ffi::PJRT_LoadedExecutable,
        params: Option<Vec<(DType, Vec<usize>)>>,
        partitions: usize,
    ) -> Result<Executable> {
        if raw.is_null() {
            return Err(PjrtError::invalid(
                "PJRT_Client_Compile",
                "the plugin returned no executable",
            ));
        }
        let mut exe = Executable {
            client,
            raw,
            num_outputs: 0,
            params,
            partitions,
        };
        let unloaded = exe.unloaded()?;
        let api = exe.client.api;
        let mut args = ffi::PJRT_Executable_NumOutputs_Args::new();
        args.executable = unloaded.raw;
        // SAFETY: the unloaded executable is live.
        unsafe {
            api.call(
                "PJRT_Executable_NumOutputs",
                api.0.PJRT_Executable_NumOutputs,
                &mut args,
            )
        }?;
        exe.num_outputs = args.num_outputs;
        Ok(exe)
    }

    fn unloaded(&self) -> Result<Unloaded> {
        let api = self.client.api;
        let mut args = ffi::PJRT_LoadedExecutable_GetExecutable_Args::new();
        args.loaded_executable = self.raw;
        // SAFETY: the loaded executable is live.
        unsafe {
            api.call(
                "PJRT_LoadedExecutable_GetExecutable",
                api.0.PJRT_LoadedExecutable_GetExecutable,
                &mut args,
            )
        }?;
        if args.executable.is_null() {
            return Err(PjrtError::invalid(
                "PJRT_LoadedExecutable_GetExecutable",
                "the plugin returned null",
            ));
        }
        Ok(Unloaded {
            api,
            raw: args.executable,
        })
    }

    /// The number of results the program returns.
    pub fn num_outputs(&self) -> usize {
        self.num_outputs
    }

    /// The dtype and shape of each parameter of `@main`, when the program
    /// was compiled (or deserialized) from text nest could read them from.
    pub fn param_types(&self) -> Option<&[(DType, Vec<usize>)]> {
        self.params.as_deref()
    }

    /// Runs the program on the client's device. The arguments must be
    /// buffers of the same client and, when [`Executable::param_types`] is
    /// known, match it; this is checked before the plugin is called.
    /// Returns once the run is enqueued: reading an output waits for it.
    pub fn execute(&self, args: &[&Buffer]) -> Result<Vec<Buffer>> {
        self.execute_keeping(args, &[])
    }

    /// [`Executable::execute`], where the arguments at `kept` are not
    /// donated even if the module aliases them to results (the plugin
    /// then writes those results elsewhere); the others it aliases are
    /// consumed.
    pub fn execute_keeping(&self, args: &[&Buffer], kept: &[usize]) -> Result<Vec<Buffer>> {
        self.check_args(args)?;
        let kept: Vec<i64> = kept.iter().map(|&i| i as i64).collect();
        let mut outs = self.launch(&[args.to_vec()], &kept)?;
        Ok(outs.pop().unwrap_or_default())
    }

    /// The number of devices a run takes: 1, or the partitions of an SPMD
    /// program.
    pub fn partitions(&self) -> usize {
        self.partitions
    }

    /// Runs a partitioned program: `args[i]` are device `i`'s pieces of
    /// the arguments (each on that device); returns each device's pieces
    /// of the results.
    pub fn execute_partitioned(&self, args: &[Vec<&Buffer>]) -> Result<Vec<Vec<Buffer>>> {
        const CALL: &str = "PJRT_LoadedExecutable_Execute";
        if args.len() != self.partitions {
            return Err(PjrtError::invalid(
                CALL,
                format!(
                    "the program runs on {} devices, got arguments for {}",
                    self.partitions,
                    args.len()
                ),
            ));
        }
        let client = &self.client;
        let mismatched = args.iter().any(|list| {
            list.len() != args[0].len() || list.iter().any(|b| !Arc::ptr_eq(b.client(), client))
        });
        if mismatched {
            return Err(PjrtError::invalid(
                CALL,
                "each device needs as many arguments, all of this client",
            ));
        }
        self.launch(args, &[])
    }

    /// One `PJRT_LoadedExecutable_Execute` over `args.len()` devices.
    fn launch(&self, args: &[Vec<&Buffer>], kept: &[i64]) -> Result<Vec<Vec<Buffer>>> {
        const CALL: &str = "PJRT_LoadedExecutable_Execute";
        let api = self.client.api;
        let inputs: Vec<Vec<*mut ffi::PJRT_Buffer>> = (args.iter())
            .map(|list| list.iter().map(|b| b.raw()).collect())
            .collect();
        let argument_lists: Vec<*const *mut ffi::PJRT_Buffer> =
            inputs.iter().map(|l| l.as_ptr()).collect();
        let mut outputs: Vec<Vec<*mut ffi::PJRT_Buffer>> =
            vec![vec![ptr::null_mut(); self.num_outputs]; args.len()];
        let output_lists: Vec<*mut *mut ffi::PJRT_Buffer> =
            outputs.iter_mut().map(|l| l.as_mut_ptr()).collect();
        let mut options = ffi::PJRT_ExecuteOptions::new();
        options.non_donatable_input_indices = kept.as_ptr();
        options.num_non_donatable_input_indices = kept.len();
        let mut call = ffi::PJRT_LoadedExecutable_Execute_Args::new();
        call.executable = self.raw;
        call.options = &mut options;
        call.argument_lists = argument_lists.as_ptr();
        call.num_devices = args.len();
        call.num_args = inputs.first().map_or(0, Vec::len);
        call.output_lists = output_lists.as_ptr();
        // SAFETY: the executable and every input buffer are live (borrowed
        // for the call); each device's output list has room for
        // `num_outputs` buffers, the count the plugin reported.
        let result = unsafe { api.call(CALL, api.0.PJRT_LoadedExecutable_Execute, &mut call) };
        // Own whatever the plugin wrote, so that it is freed on every path.
        let raws: Vec<Vec<RawBuffer>> = (outputs.into_iter())
            .map(|list| {
                (list.into_iter())
                    .filter(|p| !p.is_null())
                    .map(|p| RawBuffer::new(self.client.clone(), p))
                    .collect()
            })
            .collect();
        result?;
        if raws.iter().any(|list| list.len() != self.num_outputs) {
            return Err(PjrtError::invalid(
                CALL,
                "the plugin returned fewer outputs than it announced",
            ));
        }
        (raws.into_iter())
            .map(|list| list.into_iter().map(Buffer::from_raw).collect())
            .collect()
    }

    fn check_args(&self, args: &[&Buffer]) -> Result<()> {
        const CALL: &str = "PJRT_LoadedExecutable_Execute";
        if self.partitions != 1 {
            return Err(PjrtError::invalid(
                CALL,
                format!(
                    "the program runs on {} devices: use execute_partitioned",
                    self.partitions
                ),
            ));
        }
        if let Some(i) = args
            .iter()
            .position(|b| !Arc::ptr_eq(b.client(), &self.client))
        {
            return Err(PjrtError::invalid(
                CALL,
                format!("argument {i} belongs to another client"),
            ));
        }
        let Some(params) = &self.params else {
            return Ok(());
        };
        if args.len() != params.len() {
            return Err(PjrtError::invalid(
                CALL,
                format!(
                    "the program takes {} arguments, got {}",
                    params.len(),
                    args.len()
                ),
            ));
        }
        for (i, (arg, (dtype, shape))) in args.iter().zip(params).enumerate() {
            if arg.dtype() != *dtype || arg.shape() != shape.as_slice() {
                return Err(PjrtError::invalid(
                    CALL,
                    format!(
                        "argument {i} is {}{:?}, the program expects {}{:?}",
                        arg.dtype().name(),
                        arg.shape(),
                        dtype.name(),
                        shape
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The plugin's serialization of the compiled program, for
    /// [`super::Client::deserialize_executable`] with the same plugin
    /// version. The format is the plugin's and may change between versions.
    pub fn serialize(&self) -> Result<Vec<u8>> {
        const CALL: &str = "PJRT_Executable_Serialize";
        let unloaded = self.unloaded()?;
        let api = self.client.api;
        let mut args = ffi::PJRT_Executable_Serialize_Args::new();
        args.executable = unloaded.raw;
        // SAFETY: the unloaded executable is live.
        unsafe { api.call(CALL, api.0.PJRT_Executable_Serialize, &mut args) }?;
        let bytes = if args.serialized_bytes.is_null() {
            Vec::new()
        } else {
            // SAFETY: the bytes live as long as `serialized_executable`,
            // which is freed only below.
            unsafe {
                std::slice::from_raw_parts(
                    args.serialized_bytes.cast::<u8>(),
                    args.serialized_bytes_size,
                )
            }
            .to_vec()
        };
        if let Some(deleter) = args.serialized_executable_deleter {
            // SAFETY: the deleter frees the serialization exactly once.
            unsafe { deleter(args.serialized_executable) };
        }
        if bytes.is_empty() {
            return Err(PjrtError::invalid(
                CALL,
                "the plugin returned an empty serialization",
            ));
        }
        Ok(bytes)
    }
}
