"""Types of the text tasks (field names and order as in huggingface_hub 2.4.0, so code and pickles move across)."""

from __future__ import annotations

from typing import Any, Literal

from ._base import BaseInferenceType, dataclass_with_extra

# --- text-generation ---------------------------------------------------------------------------
TypeEnum = Literal["json", "regex", "json_schema"]


@dataclass_with_extra
class TextGenerationInputGrammarType(BaseInferenceType):
    type: TypeEnum
    value: Any


@dataclass_with_extra
class TextGenerationInputGenerateParameters(BaseInferenceType):
    adapter_id: str | None = None
    best_of: int | None = None
    decoder_input_details: bool | None = None
    details: bool | None = None
    do_sample: bool | None = None
    frequency_penalty: float | None = None
    grammar: TextGenerationInputGrammarType | None = None
    max_new_tokens: int | None = None
    repetition_penalty: float | None = None
    return_full_text: bool | None = None
    seed: int | None = None
    stop: list[str] | None = None
    temperature: float | None = None
    top_k: int | None = None
    top_n_tokens: int | None = None
    top_p: float | None = None
    truncate: int | None = None
    typical_p: float | None = None
    watermark: bool | None = None


@dataclass_with_extra
class TextGenerationInput(BaseInferenceType):
    inputs: str
    parameters: TextGenerationInputGenerateParameters | None = None
    stream: bool | None = None


TextGenerationOutputFinishReason = Literal["length", "eos_token", "stop_sequence"]


@dataclass_with_extra
class TextGenerationOutputPrefillToken(BaseInferenceType):
    id: int
    logprob: float
    text: str


@dataclass_with_extra
class TextGenerationOutputToken(BaseInferenceType):
    id: int
    logprob: float
    special: bool
    text: str


@dataclass_with_extra
class TextGenerationOutputBestOfSequence(BaseInferenceType):
    finish_reason: TextGenerationOutputFinishReason
    generated_text: str
    generated_tokens: int
    prefill: list[TextGenerationOutputPrefillToken]
    tokens: list[TextGenerationOutputToken]
    seed: int | None = None
    top_tokens: list[list[TextGenerationOutputToken]] | None = None


@dataclass_with_extra
class TextGenerationOutputDetails(BaseInferenceType):
    finish_reason: TextGenerationOutputFinishReason
    generated_tokens: int
    prefill: list[TextGenerationOutputPrefillToken]
    tokens: list[TextGenerationOutputToken]
    best_of_sequences: list[TextGenerationOutputBestOfSequence] | None = None
    seed: int | None = None
    top_tokens: list[list[TextGenerationOutputToken]] | None = None


@dataclass_with_extra
class TextGenerationOutput(BaseInferenceType):
    generated_text: str
    details: TextGenerationOutputDetails | None = None


@dataclass_with_extra
class TextGenerationStreamOutputStreamDetails(BaseInferenceType):
    finish_reason: TextGenerationOutputFinishReason
    generated_tokens: int
    input_length: int
    seed: int | None = None


@dataclass_with_extra
class TextGenerationStreamOutputToken(BaseInferenceType):
    id: int
    logprob: float
    special: bool
    text: str


@dataclass_with_extra
class TextGenerationStreamOutput(BaseInferenceType):
    index: int
    token: TextGenerationStreamOutputToken
    details: TextGenerationStreamOutputStreamDetails | None = None
    generated_text: str | None = None
    top_tokens: list[TextGenerationStreamOutputToken] | None = None


# --- text2text-generation ----------------------------------------------------------------------
Text2TextGenerationTruncationStrategy = Literal["do_not_truncate", "longest_first", "only_first", "only_second"]


@dataclass_with_extra
class Text2TextGenerationParameters(BaseInferenceType):
    clean_up_tokenization_spaces: bool | None = None
    generate_parameters: dict[str, Any] | None = None
    truncation: Text2TextGenerationTruncationStrategy | None = None


@dataclass_with_extra
class Text2TextGenerationInput(BaseInferenceType):
    inputs: str
    parameters: Text2TextGenerationParameters | None = None


@dataclass_with_extra
class Text2TextGenerationOutput(BaseInferenceType):
    generated_text: Any
    text2_text_generation_output_generated_text: str | None = None


# --- summarization -----------------------------------------------------------------------------
SummarizationTruncationStrategy = Literal["do_not_truncate", "longest_first", "only_first", "only_second"]


@dataclass_with_extra
class SummarizationParameters(BaseInferenceType):
    clean_up_tokenization_spaces: bool | None = None
    generate_parameters: dict[str, Any] | None = None
    truncation: SummarizationTruncationStrategy | None = None


@dataclass_with_extra
class SummarizationInput(BaseInferenceType):
    inputs: str
    parameters: SummarizationParameters | None = None


@dataclass_with_extra
class SummarizationOutput(BaseInferenceType):
    summary_text: str


# --- translation -------------------------------------------------------------------------------
TranslationTruncationStrategy = Literal["do_not_truncate", "longest_first", "only_first", "only_second"]


@dataclass_with_extra
class TranslationParameters(BaseInferenceType):
    clean_up_tokenization_spaces: bool | None = None
    generate_parameters: dict[str, Any] | None = None
    src_lang: str | None = None
    tgt_lang: str | None = None
    truncation: TranslationTruncationStrategy | None = None


@dataclass_with_extra
class TranslationInput(BaseInferenceType):
    inputs: str
    parameters: TranslationParameters | None = None


@dataclass_with_extra
class TranslationOutput(BaseInferenceType):
    translation_text: str


# --- feature-extraction ------------------------------------------------------------------------
FeatureExtractionInputTruncationDirection = Literal["left", "right"]


@dataclass_with_extra
class FeatureExtractionInput(BaseInferenceType):
    inputs: list[str] | str
    normalize: bool | None = None
    prompt_name: str | None = None
    truncate: bool | None = None
    truncation_direction: FeatureExtractionInputTruncationDirection | None = None


# --- sentence-similarity -----------------------------------------------------------------------


@dataclass_with_extra
class SentenceSimilarityInputData(BaseInferenceType):
    sentences: list[str]
    source_sentence: str


@dataclass_with_extra
class SentenceSimilarityInput(BaseInferenceType):
    inputs: SentenceSimilarityInputData
    parameters: dict[str, Any] | None = None


# --- fill-mask ---------------------------------------------------------------------------------


@dataclass_with_extra
class FillMaskParameters(BaseInferenceType):
    targets: list[str] | None = None
    top_k: int | None = None


@dataclass_with_extra
class FillMaskInput(BaseInferenceType):
    inputs: str
    parameters: FillMaskParameters | None = None


@dataclass_with_extra
class FillMaskOutputElement(BaseInferenceType):
    score: float
    sequence: str
    token: int
    token_str: Any
    fill_mask_output_token_str: str | None = None


# --- text-classification -----------------------------------------------------------------------
TextClassificationOutputTransform = Literal["sigmoid", "softmax", "none"]


@dataclass_with_extra
class TextClassificationParameters(BaseInferenceType):
    function_to_apply: TextClassificationOutputTransform | None = None
    top_k: int | None = None


@dataclass_with_extra
class TextClassificationInput(BaseInferenceType):
    inputs: str
    parameters: TextClassificationParameters | None = None


@dataclass_with_extra
class TextClassificationOutputElement(BaseInferenceType):
    label: str
    score: float


# --- token-classification ----------------------------------------------------------------------
TokenClassificationAggregationStrategy = Literal["none", "simple", "first", "average", "max"]


@dataclass_with_extra
class TokenClassificationParameters(BaseInferenceType):
    aggregation_strategy: TokenClassificationAggregationStrategy | None = None
    ignore_labels: list[str] | None = None
    stride: int | None = None


@dataclass_with_extra
class TokenClassificationInput(BaseInferenceType):
    inputs: str
    parameters: TokenClassificationParameters | None = None


@dataclass_with_extra
class TokenClassificationOutputElement(BaseInferenceType):
    end: int
    score: float
    start: int
    word: str
    entity: str | None = None
    entity_group: str | None = None


# --- zero-shot-classification ------------------------------------------------------------------


@dataclass_with_extra
class ZeroShotClassificationParameters(BaseInferenceType):
    candidate_labels: list[str]
    hypothesis_template: str | None = None
    multi_label: bool | None = None


@dataclass_with_extra
class ZeroShotClassificationInput(BaseInferenceType):
    inputs: str
    parameters: ZeroShotClassificationParameters


@dataclass_with_extra
class ZeroShotClassificationOutputElement(BaseInferenceType):
    label: str
    score: float


# --- question-answering ------------------------------------------------------------------------


@dataclass_with_extra
class QuestionAnsweringInputData(BaseInferenceType):
    context: str
    question: str


@dataclass_with_extra
class QuestionAnsweringParameters(BaseInferenceType):
    align_to_words: bool | None = None
    doc_stride: int | None = None
    handle_impossible_answer: bool | None = None
    max_answer_len: int | None = None
    max_question_len: int | None = None
    max_seq_len: int | None = None
    top_k: int | None = None


@dataclass_with_extra
class QuestionAnsweringInput(BaseInferenceType):
    inputs: QuestionAnsweringInputData
    parameters: QuestionAnsweringParameters | None = None


@dataclass_with_extra
class QuestionAnsweringOutputElement(BaseInferenceType):
    answer: str
    end: int
    score: float
    start: int


# --- table-question-answering ------------------------------------------------------------------


@dataclass_with_extra
class TableQuestionAnsweringInputData(BaseInferenceType):
    question: str
    table: dict[str, list[str]]


Padding = Literal["do_not_pad", "longest", "max_length"]


@dataclass_with_extra
class TableQuestionAnsweringParameters(BaseInferenceType):
    padding: Padding | None = None
    sequential: bool | None = None
    truncation: bool | None = None


@dataclass_with_extra
class TableQuestionAnsweringInput(BaseInferenceType):
    inputs: TableQuestionAnsweringInputData
    parameters: TableQuestionAnsweringParameters | None = None


@dataclass_with_extra
class TableQuestionAnsweringOutputElement(BaseInferenceType):
    answer: str
    cells: list[str]
    coordinates: list[list[int]]
    aggregator: str | None = None
