//! `#[repr(C)]` declarations of the parts of the PJRT C API (`pjrt_c_api.h`,
//! version 0.81) that nest uses, in header order.
//!
//! Every argument struct is declared with *all* of its 0.81 fields: the
//! plugins built from that header reject a `struct_size` smaller than their
//! own (`Unexpected PJRT_Client_Create_Args size: expected 88, got 72`),
//! while older plugins accept a larger one and ignore the tail. The sizes
//! and offsets below are checked at compile time against the values a C
//! compiler gives for the 0.81 header (x86-64 / aarch64 Linux, LP64).

#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]

use std::ffi::{c_char, c_int, c_void};
use std::mem::{offset_of, size_of};

macro_rules! opaque {
    ($($name:ident),* $(,)?) => {$(
        #[repr(C)]
        pub struct $name {
            _private: [u8; 0],
        }
    )*};
}

opaque!(
    PJRT_Error,
    PJRT_Event,
    PJRT_Client,
    PJRT_Device,
    PJRT_Memory,
    PJRT_Executable,
    PJRT_LoadedExecutable,
    PJRT_Buffer,
    PJRT_SerializedExecutable,
    PJRT_Extension_Base,
);

/// An argument struct: `#[repr(C)]`, `struct_size` first, every field valid
/// when all bytes are zero (null pointers, `None` functions, zero numbers).
/// `new()` gives the zeroed struct with `struct_size` set to its own size.
macro_rules! args_struct {
    ($name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        #[repr(C)]
        pub struct $name {
            pub struct_size: usize,
            pub extension_start: *mut PJRT_Extension_Base,
            $(pub $field: $ty,)*
        }
        impl $name {
            pub fn new() -> $name {
                $name {
                    struct_size: size_of::<$name>(),
                    extension_start: std::ptr::null_mut(),
                    // SAFETY: every field is a raw pointer, an `Option` of a
                    // function pointer, or a number: all-zero is valid for each.
                    $($field: unsafe { std::mem::zeroed() },)*
                }
            }
        }
    };
}

// ---------------------------------- Version ---------------------------------

#[repr(C)]
pub struct PJRT_Api_Version {
    pub struct_size: usize,
    pub extension_start: *mut PJRT_Extension_Base,
    pub major_version: c_int,
    pub minor_version: c_int,
}

// ---------------------------------- Errors ----------------------------------

args_struct!(PJRT_Error_Destroy_Args { error: *mut PJRT_Error });
args_struct!(PJRT_Error_Message_Args {
    error: *const PJRT_Error,
    message: *const c_char,
    message_size: usize,
});
args_struct!(PJRT_Error_GetCode_Args {
    error: *const PJRT_Error,
    code: c_int,
});

// -------------------------------- Named values -------------------------------

/// `PJRT_NamedValue_Type`.
pub const PJRT_NamedValue_kString: c_int = 0;
pub const PJRT_NamedValue_kInt64: c_int = 1;
pub const PJRT_NamedValue_kFloat: c_int = 3;
pub const PJRT_NamedValue_kBool: c_int = 4;

/// The value of a `PJRT_NamedValue` (an anonymous union in the header).
#[repr(C)]
#[derive(Clone, Copy)]
pub union PJRT_NamedValue_Value {
    pub string_value: *const c_char,
    pub int64_value: i64,
    pub float_value: f32,
    pub bool_value: bool,
}

/// A client-creation option: a name, a type and a value (`value_size` is
/// the length of a string, 1 for a scalar).
#[repr(C)]
pub struct PJRT_NamedValue {
    pub struct_size: usize,
    pub extension_start: *mut PJRT_Extension_Base,
    pub name: *const c_char,
    pub name_size: usize,
    pub type_: c_int,
    pub value: PJRT_NamedValue_Value,
    pub value_size: usize,
}

// ---------------------------------- Plugin ----------------------------------

args_struct!(PJRT_Plugin_Initialize_Args {});

// ---------------------------------- Events ----------------------------------

args_struct!(PJRT_Event_Destroy_Args { event: *mut PJRT_Event });
args_struct!(PJRT_Event_Await_Args { event: *mut PJRT_Event });

// ---------------------------------- Client ----------------------------------

args_struct!(PJRT_Client_Create_Args {
    create_options: *const c_void,
    num_options: usize,
    kv_get_callback: *mut c_void,
    kv_get_user_arg: *mut c_void,
    kv_put_callback: *mut c_void,
    kv_put_user_arg: *mut c_void,
    client: *mut PJRT_Client,
    kv_try_get_callback: *mut c_void,
    kv_try_get_user_arg: *mut c_void,
});
args_struct!(PJRT_Client_Destroy_Args { client: *mut PJRT_Client });
args_struct!(PJRT_Client_PlatformName_Args {
    client: *mut PJRT_Client,
    platform_name: *const c_char,
    platform_name_size: usize,
});
args_struct!(PJRT_Client_AddressableDevices_Args {
    client: *mut PJRT_Client,
    addressable_devices: *const *mut PJRT_Device,
    num_addressable_devices: usize,
});
args_struct!(PJRT_Program {
    code: *mut c_char,
    code_size: usize,
    format: *const c_char,
    format_size: usize,
});
args_struct!(PJRT_Client_Compile_Args {
    client: *mut PJRT_Client,
    program: *const PJRT_Program,
    compile_options: *const c_char,
    compile_options_size: usize,
    executable: *mut PJRT_LoadedExecutable,
});

/// `PJRT_Buffer_Type`, a C enum: kept as an integer so that a value this
/// file does not know cannot be undefined behaviour.
pub type PJRT_Buffer_Type = c_int;
pub const PJRT_Buffer_Type_PRED: PJRT_Buffer_Type = 1;
pub const PJRT_Buffer_Type_S32: PJRT_Buffer_Type = 4;
pub const PJRT_Buffer_Type_S64: PJRT_Buffer_Type = 5;
pub const PJRT_Buffer_Type_U32: PJRT_Buffer_Type = 8;
pub const PJRT_Buffer_Type_F32: PJRT_Buffer_Type = 11;
pub const PJRT_Buffer_Type_F64: PJRT_Buffer_Type = 12;
pub const PJRT_Buffer_Type_C64: PJRT_Buffer_Type = 14;
pub const PJRT_Buffer_Type_C128: PJRT_Buffer_Type = 15;

pub type PJRT_HostBufferSemantics = c_int;
pub const PJRT_HostBufferSemantics_kImmutableUntilTransferCompletes: PJRT_HostBufferSemantics = 1;

pub type PJRT_Buffer_MemoryLayout_Type = c_int;
pub const PJRT_Buffer_MemoryLayout_Type_Tiled: PJRT_Buffer_MemoryLayout_Type = 0;

args_struct!(PJRT_Buffer_MemoryLayout_Tiled {
    minor_to_major: *const i64,
    minor_to_major_size: usize,
    tile_dims: *const i64,
    tile_dim_sizes: *const usize,
    num_tiles: usize,
});
// `PJRT_Buffer_MemoryLayout_Strides` is the other, smaller member of the
// union below; nest only writes tiled layouts, so the union is the tiled one.
args_struct!(PJRT_Buffer_MemoryLayout {
    tiled: PJRT_Buffer_MemoryLayout_Tiled,
    type_: PJRT_Buffer_MemoryLayout_Type,
});

args_struct!(PJRT_Client_BufferFromHostBuffer_Args {
    client: *mut PJRT_Client,
    data: *const c_void,
    type_: PJRT_Buffer_Type,
    dims: *const i64,
    num_dims: usize,
    byte_strides: *const i64,
    num_byte_strides: usize,
    host_buffer_semantics: PJRT_HostBufferSemantics,
    device: *mut PJRT_Device,
    memory: *mut PJRT_Memory,
    device_layout: *mut PJRT_Buffer_MemoryLayout,
    done_with_host_buffer: *mut PJRT_Event,
    buffer: *mut PJRT_Buffer,
});

// ------------------------------- Executables --------------------------------

args_struct!(PJRT_Executable_Destroy_Args {
    executable: *mut PJRT_Executable,
});
args_struct!(PJRT_LoadedExecutable_Destroy_Args {
    executable: *mut PJRT_LoadedExecutable,
});
args_struct!(PJRT_LoadedExecutable_GetExecutable_Args {
    loaded_executable: *mut PJRT_LoadedExecutable,
    executable: *mut PJRT_Executable,
});
args_struct!(PJRT_ExecuteOptions {
    send_callbacks: *mut *mut c_void,
    recv_callbacks: *mut *mut c_void,
    num_send_ops: usize,
    num_recv_ops: usize,
    launch_id: c_int,
    non_donatable_input_indices: *const i64,
    num_non_donatable_input_indices: usize,
    context: *mut c_void,
    call_location: *const c_char,
    num_tasks: usize,
    task_ids: *mut c_int,
    incarnation_ids: *mut i64,
});
args_struct!(PJRT_LoadedExecutable_Execute_Args {
    executable: *mut PJRT_LoadedExecutable,
    options: *mut PJRT_ExecuteOptions,
    argument_lists: *const *const *mut PJRT_Buffer,
    num_devices: usize,
    num_args: usize,
    output_lists: *const *mut *mut PJRT_Buffer,
    device_complete_events: *mut *mut PJRT_Event,
    execute_device: *mut PJRT_Device,
});
args_struct!(PJRT_Executable_NumOutputs_Args {
    executable: *mut PJRT_Executable,
    num_outputs: usize,
});

pub type SerializedExecutableDeleter = Option<unsafe extern "C" fn(*mut PJRT_SerializedExecutable)>;

args_struct!(PJRT_Executable_Serialize_Args {
    executable: *const PJRT_Executable,
    serialized_bytes: *const c_char,
    serialized_bytes_size: usize,
    serialized_executable: *mut PJRT_SerializedExecutable,
    serialized_executable_deleter: SerializedExecutableDeleter,
});
args_struct!(PJRT_Executable_DeserializeAndLoad_Args {
    client: *mut PJRT_Client,
    serialized_executable: *const c_char,
    serialized_executable_size: usize,
    loaded_executable: *mut PJRT_LoadedExecutable,
    overridden_serialized_compile_options: *const c_char,
    overridden_serialized_compile_options_size: usize,
});

// ---------------------------------- Buffers ---------------------------------

args_struct!(PJRT_Buffer_Destroy_Args { buffer: *mut PJRT_Buffer });
args_struct!(PJRT_Buffer_ElementType_Args {
    buffer: *mut PJRT_Buffer,
    type_: PJRT_Buffer_Type,
});
args_struct!(PJRT_Buffer_Dimensions_Args {
    buffer: *mut PJRT_Buffer,
    dims: *const i64,
    num_dims: usize,
});
args_struct!(PJRT_Buffer_ToHostBuffer_Args {
    src: *mut PJRT_Buffer,
    host_layout: *mut PJRT_Buffer_MemoryLayout,
    dst: *mut c_void,
    dst_size: usize,
    event: *mut PJRT_Event,
});

// -------------------------------- API table ---------------------------------

pub type Call<A> = Option<unsafe extern "C" fn(*mut A) -> *mut PJRT_Error>;
pub type CallVoid<A> = Option<unsafe extern "C" fn(*mut A)>;
/// A slot nest does not call: only its size matters.
type Unused = Option<unsafe extern "C" fn()>;

/// `PJRT_Api` up to `PJRT_Buffer_ToHostBuffer`, the last entry nest calls.
/// A plugin's table is at least this long when its `struct_size` is.
#[repr(C)]
pub struct PJRT_Api {
    pub struct_size: usize,
    pub extension_start: *mut PJRT_Extension_Base,
    pub pjrt_api_version: PJRT_Api_Version,

    pub PJRT_Error_Destroy: CallVoid<PJRT_Error_Destroy_Args>,
    pub PJRT_Error_Message: CallVoid<PJRT_Error_Message_Args>,
    pub PJRT_Error_GetCode: Call<PJRT_Error_GetCode_Args>,

    pub PJRT_Plugin_Initialize: Call<PJRT_Plugin_Initialize_Args>,
    pub PJRT_Plugin_Attributes: Unused,

    pub PJRT_Event_Destroy: Call<PJRT_Event_Destroy_Args>,
    pub PJRT_Event_IsReady: Unused,
    pub PJRT_Event_Error: Unused,
    pub PJRT_Event_Await: Call<PJRT_Event_Await_Args>,
    pub PJRT_Event_OnReady: Unused,

    pub PJRT_Client_Create: Call<PJRT_Client_Create_Args>,
    pub PJRT_Client_Destroy: Call<PJRT_Client_Destroy_Args>,
    pub PJRT_Client_PlatformName: Call<PJRT_Client_PlatformName_Args>,
    pub PJRT_Client_ProcessIndex: Unused,
    pub PJRT_Client_PlatformVersion: Unused,
    pub PJRT_Client_Devices: Unused,
    pub PJRT_Client_AddressableDevices: Call<PJRT_Client_AddressableDevices_Args>,
    pub PJRT_Client_LookupDevice: Unused,
    pub PJRT_Client_LookupAddressableDevice: Unused,
    pub PJRT_Client_AddressableMemories: Unused,
    pub PJRT_Client_Compile: Call<PJRT_Client_Compile_Args>,
    pub PJRT_Client_DefaultDeviceAssignment: Unused,
    pub PJRT_Client_BufferFromHostBuffer: Call<PJRT_Client_BufferFromHostBuffer_Args>,

    pub PJRT_DeviceDescription_Id: Unused,
    pub PJRT_DeviceDescription_ProcessIndex: Unused,
    pub PJRT_DeviceDescription_Attributes: Unused,
    pub PJRT_DeviceDescription_Kind: Unused,
    pub PJRT_DeviceDescription_DebugString: Unused,
    pub PJRT_DeviceDescription_ToString: Unused,

    pub PJRT_Device_GetDescription: Unused,
    pub PJRT_Device_IsAddressable: Unused,
    pub PJRT_Device_LocalHardwareId: Unused,
    pub PJRT_Device_AddressableMemories: Unused,
    pub PJRT_Device_DefaultMemory: Unused,
    pub PJRT_Device_MemoryStats: Unused,

    pub PJRT_Memory_Id: Unused,
    pub PJRT_Memory_Kind: Unused,
    pub PJRT_Memory_DebugString: Unused,
    pub PJRT_Memory_ToString: Unused,
    pub PJRT_Memory_AddressableByDevices: Unused,

    pub PJRT_Executable_Destroy: Call<PJRT_Executable_Destroy_Args>,
    pub PJRT_Executable_Name: Unused,
    pub PJRT_Executable_NumReplicas: Unused,
    pub PJRT_Executable_NumPartitions: Unused,
    pub PJRT_Executable_NumOutputs: Call<PJRT_Executable_NumOutputs_Args>,
    pub PJRT_Executable_SizeOfGeneratedCodeInBytes: Unused,
    pub PJRT_Executable_GetCostAnalysis: Unused,
    pub PJRT_Executable_OutputMemoryKinds: Unused,
    pub PJRT_Executable_OptimizedProgram: Unused,
    pub PJRT_Executable_Serialize: Call<PJRT_Executable_Serialize_Args>,

    pub PJRT_LoadedExecutable_Destroy: Call<PJRT_LoadedExecutable_Destroy_Args>,
    pub PJRT_LoadedExecutable_GetExecutable: Call<PJRT_LoadedExecutable_GetExecutable_Args>,
    pub PJRT_LoadedExecutable_AddressableDevices: Unused,
    pub PJRT_LoadedExecutable_Delete: Unused,
    pub PJRT_LoadedExecutable_IsDeleted: Unused,
    pub PJRT_LoadedExecutable_Execute: Call<PJRT_LoadedExecutable_Execute_Args>,
    pub PJRT_Executable_DeserializeAndLoad: Call<PJRT_Executable_DeserializeAndLoad_Args>,
    pub PJRT_LoadedExecutable_Fingerprint: Unused,

    pub PJRT_Buffer_Destroy: Call<PJRT_Buffer_Destroy_Args>,
    pub PJRT_Buffer_ElementType: Call<PJRT_Buffer_ElementType_Args>,
    pub PJRT_Buffer_Dimensions: Call<PJRT_Buffer_Dimensions_Args>,
    pub PJRT_Buffer_UnpaddedDimensions: Unused,
    pub PJRT_Buffer_DynamicDimensionIndices: Unused,
    pub PJRT_Buffer_GetMemoryLayout: Unused,
    pub PJRT_Buffer_OnDeviceSizeInBytes: Unused,
    pub PJRT_Buffer_Device: Unused,
    pub PJRT_Buffer_Memory: Unused,
    pub PJRT_Buffer_Delete: Unused,
    pub PJRT_Buffer_IsDeleted: Unused,
    pub PJRT_Buffer_CopyToDevice: Unused,
    pub PJRT_Buffer_ToHostBuffer: Call<PJRT_Buffer_ToHostBuffer_Args>,
}

/// The `struct_size` a plugin's table needs for every entry declared above.
pub const API_SIZE_NEEDED: usize = size_of::<PJRT_Api>();

/// The signature of the one symbol a plugin exports.
pub type GetPjrtApi = unsafe extern "C" fn() -> *const PJRT_Api;

// Layout checks: the numbers are `sizeof` / `offsetof` printed by a C
// compiler for `pjrt_c_api.h` 0.81.
const _: () = {
    assert!(size_of::<PJRT_Api_Version>() == 24);
    assert!(size_of::<PJRT_Error_Destroy_Args>() == 24);
    assert!(size_of::<PJRT_Error_Message_Args>() == 40);
    assert!(size_of::<PJRT_Error_GetCode_Args>() == 32);
    assert!(size_of::<PJRT_Plugin_Initialize_Args>() == 16);
    assert!(size_of::<PJRT_Event_Destroy_Args>() == 24);
    assert!(size_of::<PJRT_Event_Await_Args>() == 24);
    assert!(size_of::<PJRT_Client_Create_Args>() == 88);
    assert!(size_of::<PJRT_NamedValue>() == 56);
    assert!(offset_of!(PJRT_NamedValue, value) == 40);
    assert!(offset_of!(PJRT_Client_Create_Args, client) == 64);
    assert!(size_of::<PJRT_Client_Destroy_Args>() == 24);
    assert!(size_of::<PJRT_Client_PlatformName_Args>() == 40);
    assert!(size_of::<PJRT_Client_AddressableDevices_Args>() == 40);
    assert!(size_of::<PJRT_Program>() == 48);
    assert!(size_of::<PJRT_Client_Compile_Args>() == 56);
    assert!(size_of::<PJRT_Buffer_MemoryLayout_Tiled>() == 56);
    assert!(size_of::<PJRT_Buffer_MemoryLayout>() == 80);
    assert!(offset_of!(PJRT_Buffer_MemoryLayout, type_) == 72);
    assert!(size_of::<PJRT_Client_BufferFromHostBuffer_Args>() == 120);
    assert!(offset_of!(PJRT_Client_BufferFromHostBuffer_Args, type_) == 32);
    assert!(offset_of!(PJRT_Client_BufferFromHostBuffer_Args, host_buffer_semantics) == 72);
    assert!(offset_of!(PJRT_Client_BufferFromHostBuffer_Args, done_with_host_buffer) == 104);
    assert!(size_of::<PJRT_Executable_Destroy_Args>() == 24);
    assert!(size_of::<PJRT_LoadedExecutable_Destroy_Args>() == 24);
    assert!(size_of::<PJRT_LoadedExecutable_GetExecutable_Args>() == 32);
    assert!(size_of::<PJRT_ExecuteOptions>() == 112);
    assert!(offset_of!(PJRT_ExecuteOptions, launch_id) == 48);
    assert!(offset_of!(PJRT_ExecuteOptions, non_donatable_input_indices) == 56);
    assert!(size_of::<PJRT_LoadedExecutable_Execute_Args>() == 80);
    assert!(size_of::<PJRT_Executable_NumOutputs_Args>() == 32);
    assert!(size_of::<PJRT_Executable_Serialize_Args>() == 56);
    assert!(size_of::<PJRT_Executable_DeserializeAndLoad_Args>() == 64);
    assert!(size_of::<PJRT_Buffer_Destroy_Args>() == 24);
    assert!(size_of::<PJRT_Buffer_ElementType_Args>() == 32);
    assert!(size_of::<PJRT_Buffer_Dimensions_Args>() == 40);
    assert!(size_of::<PJRT_Buffer_ToHostBuffer_Args>() == 56);

    assert!(offset_of!(PJRT_Api, pjrt_api_version) == 16);
    assert!(offset_of!(PJRT_Api, PJRT_Error_Destroy) == 40);
    assert!(offset_of!(PJRT_Api, PJRT_Client_Create) == 120);
    assert!(offset_of!(PJRT_Api, PJRT_Client_BufferFromHostBuffer) == 216);
    assert!(offset_of!(PJRT_Api, PJRT_Executable_NumOutputs) == 392);
    assert!(offset_of!(PJRT_Api, PJRT_Executable_Serialize) == 432);
    assert!(offset_of!(PJRT_Api, PJRT_LoadedExecutable_Execute) == 480);
    assert!(offset_of!(PJRT_Api, PJRT_Executable_DeserializeAndLoad) == 488);
    assert!(offset_of!(PJRT_Api, PJRT_Buffer_Destroy) == 504);
    assert!(offset_of!(PJRT_Api, PJRT_Buffer_ToHostBuffer) == 600);
};
