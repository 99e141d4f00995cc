//! Weights files in burn's record format (burnpack).
//!
//! burn's [`Module::into_record`] reads every parameter synchronously, which WebGPU in a browser
//! cannot do (the read traps). [`to_bytes_async`] therefore first copies each parameter to a
//! host (`flex`) copy of the module with asynchronous reads, then records that copy, so the
//! page and the native command write the same file for the same weights.
//!
//! Both the host copy and [`load`] write into a *fresh* module that the caller builds from the
//! model's config. burn's running statistics (batch norm) are shared between clones of a
//! module, so writing into a clone of the live model would change the live model too — and a
//! file that failed validation half-way would leave it half-loaded.
//!
//! ```
//! use burn::prelude::*;
//! use kindling::gan::GanConfig;
//! use kindling::weights;
//!
//! let device = Device::flex();
//! let gan = GanConfig::new().init(&device);
//! let bytes = weights::to_bytes(gan).unwrap();
//! let loaded = weights::load(GanConfig::new().init(&device), &bytes).unwrap();
//! let refused = weights::load(GanConfig::new().init(&device), b"not weights").unwrap_err();
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
    // `valid` first folds pending batch-norm statistics in, so the file holds what inference
    // with this model uses.
    let bytes = module.valid().into_record().into_bytes();
    let bytes = bytes.map_err(|e| WeightsError::Encode(record_reason(e)))?;
    Ok(bytes.to_vec())
}

/// Record `module`, on any device (WebGPU in a browser included). `host` is a fresh module of
/// the same shape on [`Device::flex`], which receives the values.
pub async fn to_bytes_async<M: Module>(module: &M, host: M) -> Result<Vec<u8>, WeightsError> {
    to_bytes(to_host(module, host).await?)
}

/// `host` (a fresh module of the same shape) holding `module`'s values, read asynchronously.
/// Visit order is fixed by the module's structure, so value `i` lands on parameter `i`.
pub async fn to_host<M: Module>(module: &M, host: M) -> Result<M, WeightsError> {
    let mut collect = Collect(Vec::new());
    module.valid().visit(&mut collect); // `valid`: see `to_bytes`
    let mut datas = Vec::with_capacity(collect.0.len());
    for tensor in collect.0 {
        let data = tensor.into_data_async().await;
        datas.push(data.map_err(|e| WeightsError::Readback(format!("{e:?}")))?);
    }
    let count = datas.len();
    let mut place = Place {
        datas: datas.into_iter(),
        device: Device::flex(),
    };
    let host = host.map(&mut place);
    match place.datas.len() {
        0 => Ok(host),
        left => Err(WeightsError::Mismatch(format!(
            "the host copy took {} of {count} values",
            count - left
        ))),
    }
}

/// Apply a weights file to `fresh`, a newly built module (never a clone of the live model; see
/// the module docs). On any error the live model is untouched, so a bad file never costs the
/// reader a running model.
pub fn load<M: Module>(fresh: M, bytes: &[u8]) -> Result<M, WeightsError> {
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| WeightsError::Unreadable(record_reason(e)))?;
    if record.is_empty() {
        return Err(WeightsError::Unreadable("it holds no tensors".into()));
    }
    fresh
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
        let Some(data) = self.datas.next() else {
            return param; // more parameters than values: to_host reports the mismatch
        };
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
