"""Types of the vision tasks (field names and order as in huggingface_hub 2.4.0, so code and pickles move across)."""

from __future__ import annotations

from typing import Any, Literal

from ._base import BaseInferenceType, dataclass_with_extra

# --- image-classification ----------------------------------------------------------------------
ImageClassificationOutputTransform = Literal["sigmoid", "softmax", "none"]


@dataclass_with_extra
class ImageClassificationParameters(BaseInferenceType):
    function_to_apply: ImageClassificationOutputTransform | None = None
    top_k: int | None = None


@dataclass_with_extra
class ImageClassificationInput(BaseInferenceType):
    inputs: str
    parameters: ImageClassificationParameters | None = None


@dataclass_with_extra
class ImageClassificationOutputElement(BaseInferenceType):
    label: str
    score: float


# --- image-segmentation ------------------------------------------------------------------------
ImageSegmentationSubtask = Literal["instance", "panoptic", "semantic"]


@dataclass_with_extra
class ImageSegmentationParameters(BaseInferenceType):
    mask_threshold: float | None = None
    overlap_mask_area_threshold: float | None = None
    subtask: ImageSegmentationSubtask | None = None
    threshold: float | None = None


@dataclass_with_extra
class ImageSegmentationInput(BaseInferenceType):
    inputs: str
    parameters: ImageSegmentationParameters | None = None


@dataclass_with_extra
class ImageSegmentationOutputElement(BaseInferenceType):
    label: str
    mask: str
    score: float | None = None


# --- image-to-image ----------------------------------------------------------------------------


@dataclass_with_extra
class ImageToImageTargetSize(BaseInferenceType):
    height: int
    width: int


@dataclass_with_extra
class ImageToImageParameters(BaseInferenceType):
    guidance_scale: float | None = None
    negative_prompt: str | None = None
    num_inference_steps: int | None = None
    prompt: str | None = None
    target_size: ImageToImageTargetSize | None = None


@dataclass_with_extra
class ImageToImageInput(BaseInferenceType):
    inputs: str
    parameters: ImageToImageParameters | None = None


@dataclass_with_extra
class ImageToImageOutput(BaseInferenceType):
    image: Any


# --- image-to-text -----------------------------------------------------------------------------
ImageToTextEarlyStoppingEnum = Literal["never"]


@dataclass_with_extra
class ImageToTextGenerationParameters(BaseInferenceType):
    do_sample: bool | None = None
    early_stopping: bool | ImageToTextEarlyStoppingEnum | None = None
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
class ImageToTextParameters(BaseInferenceType):
    generation_parameters: ImageToTextGenerationParameters | None = None
    max_new_tokens: int | None = None


@dataclass_with_extra
class ImageToTextInput(BaseInferenceType):
    inputs: Any
    parameters: ImageToTextParameters | None = None


@dataclass_with_extra
class ImageToTextOutput(BaseInferenceType):
    generated_text: Any
    image_to_text_output_generated_text: str | None = None


# --- image-to-video ----------------------------------------------------------------------------


@dataclass_with_extra
class ImageToVideoTargetSize(BaseInferenceType):
    height: int
    width: int


@dataclass_with_extra
class ImageToVideoParameters(BaseInferenceType):
    guidance_scale: float | None = None
    negative_prompt: str | None = None
    num_frames: float | None = None
    num_inference_steps: int | None = None
    prompt: str | None = None
    seed: int | None = None
    target_size: ImageToVideoTargetSize | None = None


@dataclass_with_extra
class ImageToVideoInput(BaseInferenceType):
    inputs: str
    parameters: ImageToVideoParameters | None = None


@dataclass_with_extra
class ImageToVideoOutput(BaseInferenceType):
    video: Any


# --- image-text-to-image -----------------------------------------------------------------------


@dataclass_with_extra
class ImageTextToImageTargetSize(BaseInferenceType):
    height: int
    width: int


@dataclass_with_extra
class ImageTextToImageParameters(BaseInferenceType):
    guidance_scale: float | None = None
    negative_prompt: str | None = None
    num_inference_steps: int | None = None
    prompt: str | None = None
    seed: int | None = None
    target_size: ImageTextToImageTargetSize | None = None


@dataclass_with_extra
class ImageTextToImageInput(BaseInferenceType):
    inputs: str | None = None
    parameters: ImageTextToImageParameters | None = None


@dataclass_with_extra
class ImageTextToImageOutput(BaseInferenceType):
    image: Any


# --- image-text-to-video -----------------------------------------------------------------------


@dataclass_with_extra
class ImageTextToVideoTargetSize(BaseInferenceType):
    height: int
    width: int


@dataclass_with_extra
class ImageTextToVideoParameters(BaseInferenceType):
    guidance_scale: float | None = None
    negative_prompt: str | None = None
    num_frames: float | None = None
    num_inference_steps: int | None = None
    prompt: str | None = None
    seed: int | None = None
    target_size: ImageTextToVideoTargetSize | None = None


@dataclass_with_extra
class ImageTextToVideoInput(BaseInferenceType):
    inputs: str | None = None
    parameters: ImageTextToVideoParameters | None = None


@dataclass_with_extra
class ImageTextToVideoOutput(BaseInferenceType):
    video: Any


# --- object-detection --------------------------------------------------------------------------


@dataclass_with_extra
class ObjectDetectionParameters(BaseInferenceType):
    threshold: float | None = None


@dataclass_with_extra
class ObjectDetectionInput(BaseInferenceType):
    inputs: str
    parameters: ObjectDetectionParameters | None = None


@dataclass_with_extra
class ObjectDetectionBoundingBox(BaseInferenceType):
    xmax: int
    xmin: int
    ymax: int
    ymin: int


@dataclass_with_extra
class ObjectDetectionOutputElement(BaseInferenceType):
    box: ObjectDetectionBoundingBox
    label: str
    score: float


# --- depth-estimation --------------------------------------------------------------------------


@dataclass_with_extra
class DepthEstimationInput(BaseInferenceType):
    inputs: Any
    parameters: dict[str, Any] | None = None


@dataclass_with_extra
class DepthEstimationOutput(BaseInferenceType):
    depth: Any
    predicted_depth: Any


# --- document-question-answering ---------------------------------------------------------------


@dataclass_with_extra
class DocumentQuestionAnsweringInputData(BaseInferenceType):
    image: Any
    question: str


@dataclass_with_extra
class DocumentQuestionAnsweringParameters(BaseInferenceType):
    doc_stride: int | None = None
    handle_impossible_answer: bool | None = None
    lang: str | None = None
    max_answer_len: int | None = None
    max_question_len: int | None = None
    max_seq_len: int | None = None
    top_k: int | None = None
    word_boxes: list[list[float] | str] | None = None


@dataclass_with_extra
class DocumentQuestionAnsweringInput(BaseInferenceType):
    inputs: DocumentQuestionAnsweringInputData
    parameters: DocumentQuestionAnsweringParameters | None = None


@dataclass_with_extra
class DocumentQuestionAnsweringOutputElement(BaseInferenceType):
    answer: str
    end: int
    score: float
    start: int


# --- visual-question-answering -----------------------------------------------------------------


@dataclass_with_extra
class VisualQuestionAnsweringInputData(BaseInferenceType):
    image: Any
    question: str


@dataclass_with_extra
class VisualQuestionAnsweringParameters(BaseInferenceType):
    top_k: int | None = None


@dataclass_with_extra
class VisualQuestionAnsweringInput(BaseInferenceType):
    inputs: VisualQuestionAnsweringInputData
    parameters: VisualQuestionAnsweringParameters | None = None


@dataclass_with_extra
class VisualQuestionAnsweringOutputElement(BaseInferenceType):
    score: float
    answer: str | None = None


# --- zero-shot-image-classification ------------------------------------------------------------


@dataclass_with_extra
class ZeroShotImageClassificationParameters(BaseInferenceType):
    candidate_labels: list[str]
    hypothesis_template: str | None = None


@dataclass_with_extra
class ZeroShotImageClassificationInput(BaseInferenceType):
    inputs: str
    parameters: ZeroShotImageClassificationParameters


@dataclass_with_extra
class ZeroShotImageClassificationOutputElement(BaseInferenceType):
    label: str
    score: float


# --- zero-shot-object-detection ----------------------------------------------------------------


@dataclass_with_extra
class ZeroShotObjectDetectionParameters(BaseInferenceType):
    candidate_labels: list[str]


@dataclass_with_extra
class ZeroShotObjectDetectionInput(BaseInferenceType):
    inputs: str
    parameters: ZeroShotObjectDetectionParameters


@dataclass_with_extra
class ZeroShotObjectDetectionBoundingBox(BaseInferenceType):
    xmax: int
    xmin: int
    ymax: int
    ymin: int


@dataclass_with_extra
class ZeroShotObjectDetectionOutputElement(BaseInferenceType):
    box: ZeroShotObjectDetectionBoundingBox
    label: str
    score: float


# --- text-to-image -----------------------------------------------------------------------------


@dataclass_with_extra
class TextToImageParameters(BaseInferenceType):
    guidance_scale: float | None = None
    height: int | None = None
    negative_prompt: str | None = None
    num_inference_steps: int | None = None
    scheduler: str | None = None
    seed: int | None = None
    width: int | None = None


@dataclass_with_extra
class TextToImageInput(BaseInferenceType):
    inputs: str
    parameters: TextToImageParameters | None = None


@dataclass_with_extra
class TextToImageOutput(BaseInferenceType):
    image: Any


# --- text-to-video -----------------------------------------------------------------------------


@dataclass_with_extra
class TextToVideoParameters(BaseInferenceType):
    guidance_scale: float | None = None
    negative_prompt: list[str] | None = None
    num_frames: float | None = None
    num_inference_steps: int | None = None
    seed: int | None = None


@dataclass_with_extra
class TextToVideoInput(BaseInferenceType):
    inputs: str
    parameters: TextToVideoParameters | None = None


@dataclass_with_extra
class TextToVideoOutput(BaseInferenceType):
    video: Any


# --- video-classification ----------------------------------------------------------------------
VideoClassificationOutputTransform = Literal["sigmoid", "softmax", "none"]


@dataclass_with_extra
class VideoClassificationParameters(BaseInferenceType):
    frame_sampling_rate: int | None = None
    function_to_apply: VideoClassificationOutputTransform | None = None
    num_frames: int | None = None
    top_k: int | None = None


@dataclass_with_extra
class VideoClassificationInput(BaseInferenceType):
    inputs: Any
    parameters: VideoClassificationParameters | None = None


@dataclass_with_extra
class VideoClassificationOutputElement(BaseInferenceType):
    label: str
    score: float
