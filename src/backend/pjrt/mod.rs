//! A thin, safe layer over the PJRT C API of an XLA plugin, loaded with
//! `libloading`. The only unsafe code of the project lives here.
