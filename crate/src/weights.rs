//! Weights files in burn's record format (burnpack).
//!
//! burn's [`Module::into_record`] reads every parameter synchronously, which WebGPU in a browser
//! cannot do (the read traps). [`to_bytes_async`] therefore first copies each parameter to a
//! host (`flex`) copy of the module with asynchronous reads, then records that copy, so the
//! page and the native command write the same file for the same weights.
//!
//! ```
//! use burn::prelude::*;
//! use kindling::gan::GanConfig;
//! use kindling::weights;
//!
//! let device = Device::flex();
//! let gan = GanConfig::new().init(&device);
//! let bytes = weights::to_bytes(gan).unwrap();
//! let loaded = weights::load(&GanConfig::new().init(&device), &bytes).unwrap();
//! let refused = weights::load(&loaded, b"not weights").unwrap_err();
//! assert!(refused.to_string().contains("not a kindling weights file"));
//! ```

use burn::module::{ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use burn::store::{ModuleRecord, RecordError};
use burn::tensor::Bytes;

/// Why weights could not be saved or loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeightsError {
    /// The bytes are not a readable weights file (truncated, damaged, another format).
    Unreadable(String),
    /// The file is readable but holds weights for a different model or size.
    Mismatch(String),
    /// A parameter could not be read back from the device.
    Readback(String),
    /// The record could not be encoded.
    Encode(String),
}

impl std::fmt::Display for WeightsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unreadable(why) => {
                write!(
                    f,
                    "This is not a kindling weights file, or it is damaged ({why})."
                )
            }
            Self::Mismatch(why) => write!(f, "These weights belong to another model ({why})."),
            Self::Readback(why) => write!(f, "Could not read the weights from the device ({why})."),
            Self::Encode(why) => write!(f, "Could not write the weights file ({why})."),
        }
    }
}

impl std::error::Error for WeightsError {}

/// Record a module whose tensors can be read synchronously (any native device, `flex` in wasm).
pub fn to_bytes<M: Module>(module: M) -> Result<Vec<u8>, WeightsError> {
    let bytes = module.into_record().into_bytes();
    let bytes = bytes.map_err(|e| WeightsError::Encode(record_reason(e)))?;
    Ok(bytes.to_vec())
}

/// Record a module on any device, WebGPU in a browser included.
pub async fn to_bytes_async<M: Module>(module: M) -> Result<Vec<u8>, WeightsError> {
    to_bytes(to_host(module).await?)
}

/// A copy of `module` with every parameter on the `flex` CPU device, read asynchronously.
/// Parameter ids and save mappers are kept, so the copy records exactly like the original.
pub async fn to_host<M: Module>(module: M) -> Result<M, WeightsError> {
    let mut collect = Collect(Vec::new());
    module.visit(&mut collect);
    let mut datas = Vec::with_capacity(collect.0.len());
    for tensor in collect.0 {
        let data = tensor.into_data_async().await;
        datas.push(data.map_err(|e| WeightsError::Readback(format!("{e:?}")))?);
    }
    let mut place = Place {
        datas: datas.into_iter(),
        device: Device::flex(),
    };
    Ok(module.map(&mut place))
}

/// Apply a weights file to a copy of `module`. On any error `module` is untouched and still
/// usable, so a bad file never costs the reader a running model.
pub fn load<M: Module + Clone>(module: &M, bytes: &[u8]) -> Result<M, WeightsError> {
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| WeightsError::Unreadable(record_reason(e)))?;
    if record.is_empty() {
        return Err(WeightsError::Unreadable("it holds no tensors".into()));
    }
    module
        .clone()
        .try_load_record(record)
        .map_err(|e| WeightsError::Mismatch(record_reason(e)))
}

fn record_reason(error: RecordError) -> String {
    match error {
        RecordError::Io(why) | RecordError::Validation(why) => why,
    }
}

/// Flattened parameter values in visit order (ranks differ, so they travel as rank 1).
struct Collect(Vec<Tensor<1>>);

impl ModuleVisitor for Collect {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.0.push(param.val().flatten(0, D - 1));
    }
}

/// Puts the collected values back, in the same visit order, as host tensors.
struct Place {
    datas: std::vec::IntoIter<TensorData>,
    device: Device,
}

impl ModuleMapper for Place {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let data = self.datas.next().expect("one value per visited parameter");
        let device = self.device.clone();
        param.map(|tensor| {
            let (bytes, _, dtype) = data.into_parts();
            Tensor::from_data(
                TensorData::from_bytes(bytes, tensor.shape(), dtype),
                &device,
            )
        })
    }
}
