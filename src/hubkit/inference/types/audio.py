"""Types of the audio tasks (field names and order as in huggingface_hub 2.4.0, so code and pickles move across)."""

from __future__ import annotations

from typing import Any, Literal

from ._base import BaseInferenceType, dataclass_with_extra

# --- audio-classification ----------------------------------------------------------------------
AudioClassificationOutputTransform = Literal["sigmoid", "softmax", "none"]


@dataclass_with_extra
class AudioClassificationParameters(BaseInferenceType):
    function_to_apply: AudioClassificationOutputTransform | None = None
    top_k: int | None = None


@dataclass_with_extra
class AudioClassificationInput(BaseInferenceType):
    inputs: str
    parameters: AudioClassificationParameters | None = None


@dataclass_with_extra
class AudioClassificationOutputElement(BaseInferenceType):
    label: str
    score: float


# --- audio-to-audio ----------------------------------------------------------------------------


@dataclass_with_extra
class AudioToAudioInput(BaseInferenceType):
    inputs: Any


@dataclass_with_extra
class AudioToAudioOutputElement(BaseInferenceType):
    blob: Any
    content_type: str
    label: str


# --- automatic-speech-recognition --------------------------------------------------------------
AutomaticSpeechRecognitionEarlyStoppingEnum = Literal["never"]


@dataclass_with_extra
class AutomaticSpeechRecognitionGenerationParameters(BaseInferenceType):
    do_sample: bool | None = None
    early_stopping: bool | AutomaticSpeechRecognitionEarlyStoppingEnum | None = None
    epsilon_cutoff: float | None = None
    eta_cutoff: float | None = None
    max_length: int | None = None
    max_new_tokens: int | None = None
    min_length: int | None = None
    min_new_tokens: int | None = None
    num_beam_groups: int | None = None
    num_beams: int | None = None
    penalty_alpha: float | None = None
    temperature: float | None = None
    top_k: int | None = None
    top_p: float | None = None
    typical_p: float | None = None
    use_cache: bool | None = None


@dataclass_with_extra
class AutomaticSpeechRecognitionParameters(BaseInferenceType):
    generation_parameters: AutomaticSpeechRecognitionGenerationParameters | None = None
    return_timestamps: bool | None = None


@dataclass_with_extra
class AutomaticSpeechRecognitionInput(BaseInferenceType):
    inputs: str
    parameters: AutomaticSpeechRecognitionParameters | None = None


@dataclass_with_extra
class AutomaticSpeechRecognitionOutputChunk(BaseInferenceType):
    text: str
    timestamp: list[float]


@dataclass_with_extra
class AutomaticSpeechRecognitionOutput(BaseInferenceType):
    text: str
    chunks: list[AutomaticSpeechRecognitionOutputChunk] | None = None


# --- text-to-speech ----------------------------------------------------------------------------
TextToSpeechEarlyStoppingEnum = Literal["never"]


@dataclass_with_extra
class TextToSpeechGenerationParameters(BaseInferenceType):
    do_sample: bool | None = None
    early_stopping: bool | TextToSpeechEarlyStoppingEnum | None = None
    epsilon_cutoff: float | None = None
    eta_cutoff: float | None = None
    max_length: int | None = None
    max_new_tokens: int | None = None
    min_length: int | None = None
    min_new_tokens: int | None = None
    num_beam_groups: int | None = None
    num_beams: int | None = None
    penalty_alpha: float | None = None
    temperature: float | None = None
    top_k: int | None = None
    top_p: float | None = None
    typical_p: float | None = None
    use_cache: bool | None = None


@dataclass_with_extra
class TextToSpeechParameters(BaseInferenceType):
    generation_parameters: TextToSpeechGenerationParameters | None = None


@dataclass_with_extra
class TextToSpeechInput(BaseInferenceType):
    inputs: str
    parameters: TextToSpeechParameters | None = None


@dataclass_with_extra
class TextToSpeechOutput(BaseInferenceType):
    audio: Any
    sampling_rate: float | None = None


# --- text-to-audio -----------------------------------------------------------------------------
TextToAudioEarlyStoppingEnum = Literal["never"]


@dataclass_with_extra
class TextToAudioGenerationParameters(BaseInferenceType):
    do_sample: bool | None = None
    early_stopping: bool | TextToAudioEarlyStoppingEnum | None = None
    epsilon_cutoff: float | None = None
    eta_cutoff: float | None = None
    max_length: int | None = None
    max_new_tokens: int | None = None
    min_length: int | None = None
    min_new_tokens: int | None = None
    num_beam_groups: int | None = None
    num_beams: int | None = None
    penalty_alpha: float | None = None
    temperature: float | None = None
    top_k: int | None = None
    top_p: float | None = None
    typical_p: float | None = None
    use_cache: bool | None = None


@dataclass_with_extra
class TextToAudioParameters(BaseInferenceType):
    generation_parameters: TextToAudioGenerationParameters | None = None


@dataclass_with_extra
class TextToAudioInput(BaseInferenceType):
    inputs: str
    parameters: TextToAudioParameters | None = None


@dataclass_with_extra
class TextToAudioOutput(BaseInferenceType):
    audio: Any
    sampling_rate: float
