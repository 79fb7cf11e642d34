"""Text tasks, each written once as a plan (see ``_common``); both clients expose them.

Signatures, defaults and return types are those of ``huggingface_hub`` 2.4.0's
``InferenceClient``; ``Plan[X]`` means the sync client returns ``X`` and the async one ``await``s to it.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Literal

from ..errors import BadRequestError, HfHubHTTPError
from ._common import LineStream, Plan, as_dict, import_numpy, parse_chat_stream_line, parse_text_generation_stream_line
from ._errors import text_generation_error
from ._plans import (
    MODEL_KWARGS_NOT_USED_REGEX,
    PlanBase,
    set_unsupported_text_generation_kwargs,
    unsupported_text_generation_kwargs,
)
from ._providers._common import maybe_plan
from .types import (
    ChatCompletionInputGrammarType,
    ChatCompletionInputMessage,
    ChatCompletionInputStreamOptions,
    ChatCompletionInputTool,
    ChatCompletionInputToolChoiceClass,
    ChatCompletionInputToolChoiceEnum,
    ChatCompletionOutput,
    FillMaskOutputElement,
    Padding,
    QuestionAnsweringOutputElement,
    SummarizationOutput,
    SummarizationTruncationStrategy,
    TableQuestionAnsweringOutputElement,
    TextClassificationOutputElement,
    TextClassificationOutputTransform,
    TextGenerationInputGrammarType,
    TextGenerationOutput,
    TokenClassificationAggregationStrategy,
    TokenClassificationOutputElement,
    TranslationOutput,
    TranslationTruncationStrategy,
    ZeroShotClassificationOutputElement,
)

if TYPE_CHECKING:
    import numpy as np


def _raise_text_generation_error(err: HfHubHTTPError) -> None:
    """A TGI-style error body (``error`` + ``error_type``) becomes its typed error."""
    response = err.response
    try:
        payload = response.json() if response is not None else None
    except Exception:
        payload = None
    if isinstance(payload, dict) and payload.get("error_type") is not None:
        raise text_generation_error(str(payload.get("error")), payload["error_type"]) from err
    raise err


class TextTasks(PlanBase):
    def chat_completion(
        self,
        messages: list[dict | ChatCompletionInputMessage],
        *,
        model: str | None = None,
        stream: bool = False,
        frequency_penalty: float | None = None,
        logit_bias: list[float] | None = None,
        logprobs: bool | None = None,
        max_tokens: int | None = None,
        n: int | None = None,
        presence_penalty: float | None = None,
        response_format: ChatCompletionInputGrammarType | None = None,
        seed: int | None = None,
        stop: list[str] | None = None,
        stream_options: ChatCompletionInputStreamOptions | None = None,
        temperature: float | None = None,
        tool_choice: ChatCompletionInputToolChoiceClass | ChatCompletionInputToolChoiceEnum | None = None,
        tool_prompt: str | None = None,
        tools: list[ChatCompletionInputTool] | None = None,
        top_logprobs: int | None = None,
        top_p: float | None = None,
        extra_body: dict | None = None,
    ) -> Plan[ChatCompletionOutput | Any]:
        """A chat completion (OpenAI shape): ``ChatCompletionOutput``, or with ``stream=True`` an
        iterator of ``ChatCompletionStreamOutput`` chunks. A URL (``model`` or ``base_url``) is any
        OpenAI-compatible server; ``/v1/chat/completions`` is appended when missing."""
        url_or_id = self.model or model
        payload_model = model or self.model
        is_url = url_or_id is not None and url_or_id.startswith(("http://", "https://"))
        parameters = {
            "model": payload_model,
            "frequency_penalty": frequency_penalty,
            "logit_bias": logit_bias,
            "logprobs": logprobs,
            "max_tokens": max_tokens,
            "n": n,
            "presence_penalty": presence_penalty,
            "response_format": response_format,
            "seed": seed,
            "stop": stop,
            "temperature": temperature,
            "tool_choice": tool_choice,
            "tool_prompt": tool_prompt,
            "tools": tools,
            "top_logprobs": top_logprobs,
            "top_p": top_p,
            "stream": stream,
            "stream_options": stream_options,
            **(extra_body or {}),
        }
        _, params = yield from self._prepare(
            "conversational", url_or_id, messages, parameters, route_model=url_or_id if is_url else payload_model
        )
        answer = yield from self._post(params, stream=stream)
        if stream:
            return LineStream(answer, parse_chat_stream_line)
        return ChatCompletionOutput.parse_obj_as_instance(answer)

    def text_generation(
        self,
        prompt: str,
        *,
        details: bool | None = None,
        stream: bool | None = None,
        model: str | None = None,
        adapter_id: str | None = None,
        best_of: int | None = None,
        decoder_input_details: bool | None = None,
        do_sample: bool | None = None,
        frequency_penalty: float | None = None,
        grammar: TextGenerationInputGrammarType | None = None,
        max_new_tokens: int | None = None,
        repetition_penalty: float | None = None,
        return_full_text: bool | None = None,
        seed: int | None = None,
        stop: list[str] | None = None,
        temperature: float | None = None,
        top_k: int | None = None,
        top_n_tokens: int | None = None,
        top_p: float | None = None,
        truncate: int | None = None,
        typical_p: float | None = None,
        watermark: bool | None = None,
    ) -> Plan[str | TextGenerationOutput | Any]:
        """Continue ``prompt`` (TGI's ``/generate`` shape): the text, ``TextGenerationOutput`` with
        ``details=True``, or with ``stream=True`` an iterator of tokens (texts or stream outputs).
        Server errors of TGI's kinds raise ``ValidationError``, ``GenerationError``..."""
        if decoder_input_details and not details:
            warnings.warn(
                "`decoder_input_details=True` has been passed to the server but `details=False` is set meaning that"
                " the output from the server will be truncated.",
                stacklevel=3,
            )
            decoder_input_details = False
        parameters: dict[str, Any] = {
            "adapter_id": adapter_id,
            "best_of": best_of,
            "decoder_input_details": decoder_input_details,
            "details": details,
            "do_sample": do_sample,
            "frequency_penalty": frequency_penalty,
            "grammar": grammar,
            "max_new_tokens": max_new_tokens,
            "repetition_penalty": repetition_penalty,
            "return_full_text": return_full_text,
            "seed": seed,
            "stop": stop,
            "temperature": temperature,
            "top_k": top_k,
            "top_n_tokens": top_n_tokens,
            "top_p": top_p,
            "truncate": truncate,
            "typical_p": typical_p,
            "watermark": watermark,
        }
        unsupported = unsupported_text_generation_kwargs(model)
        if unsupported:
            ignored = [key for key in unsupported if parameters.get(key)]
            for key in unsupported:
                parameters.pop(key, None)
            if ignored:
                warnings.warn(
                    "API endpoint/model for text-generation is not served via TGI. Ignoring following parameters:"
                    f" {', '.join(ignored)}.",
                    UserWarning,
                    stacklevel=3,
                )
            if details:
                warnings.warn(
                    "API endpoint/model for text-generation is not served via TGI. Parameter `details=True` will be"
                    " ignored meaning only the generated text will be returned.",
                    UserWarning,
                    stacklevel=3,
                )
                details = False
            if stream:
                raise ValueError(
                    "API endpoint/model for text-generation is not served via TGI. Cannot return output as a stream."
                    " Please pass `stream=False` as input."
                )
        model_id = model or self.model
        helper, params = yield from self._prepare(
            "text-generation", model_id, prompt, parameters, extra_payload={"stream": stream}
        )
        try:
            answer = yield from self._post(params, stream=bool(stream))
        except HfHubHTTPError as err:
            match = MODEL_KWARGS_NOT_USED_REGEX.search(str(err))
            if isinstance(err, BadRequestError) and match:
                set_unsupported_text_generation_kwargs(model, [k.strip("' ") for k in match.group(1).split(",")])
                again = {k: v for k, v in parameters.items() if k not in ("details",)}
                # the plan itself, not the client's method (which, on the async client, is a coroutine)
                return (
                    yield from TextTasks.text_generation(
                        self, prompt, details=details, stream=stream, model=model_id, **again
                    )
                )
            _raise_text_generation_error(err)
        if stream:
            return LineStream(answer, parse_text_generation_stream_line(bool(details)))
        data = as_dict(answer)
        if isinstance(data, list):
            data = data[0]
        data = yield from maybe_plan(helper.get_response(data, params))
        return TextGenerationOutput.parse_obj_as_instance(data) if details else data["generated_text"]

    def feature_extraction(
        self,
        text: str | list[str],
        *,
        normalize: bool | None = None,
        prompt_name: str | None = None,
        truncate: bool | None = None,
        truncation_direction: Literal["left", "right"] | None = None,
        dimensions: int | None = None,
        encoding_format: Literal["float", "base64"] | None = None,
        model: str | None = None,
    ) -> Plan[np.ndarray]:
        """Embeddings of ``text`` as a float32 ``numpy`` array (one row per input text)."""
        parameters = {
            "normalize": normalize,
            "prompt_name": prompt_name,
            "truncate": truncate,
            "truncation_direction": truncation_direction,
            "dimensions": dimensions,
            "encoding_format": encoding_format,
        }
        data = yield from self._call("feature-extraction", model or self.model, text, parameters)
        return import_numpy().array(as_dict(data), dtype="float32")

    def sentence_similarity(
        self, sentence: str, other_sentences: list[str], *, model: str | None = None
    ) -> Plan[list[float]]:
        """Cosine similarity of ``sentence`` with each of ``other_sentences``."""
        inputs = {"source_sentence": sentence, "sentences": other_sentences}
        return as_dict((yield from self._call("sentence-similarity", model or self.model, inputs, {}, {})))

    def fill_mask(
        self, text: str, *, model: str | None = None, targets: list[str] | None = None, top_k: int | None = None
    ) -> Plan[list[FillMaskOutputElement]]:
        """Candidates for the mask token in ``text``, best first."""
        data = yield from self._call("fill-mask", model or self.model, text, {"targets": targets, "top_k": top_k})
        return FillMaskOutputElement.parse_obj_as_list(data)

    def text_classification(
        self,
        text: str,
        *,
        model: str | None = None,
        top_k: int | None = None,
        function_to_apply: TextClassificationOutputTransform | None = None,
    ) -> Plan[list[TextClassificationOutputElement]]:
        """Labels of ``text`` with their scores."""
        parameters = {"function_to_apply": function_to_apply, "top_k": top_k}
        data = yield from self._call("text-classification", model or self.model, text, parameters)
        return TextClassificationOutputElement.parse_obj_as_list(data)[0]  # type: ignore[return-value]

    def token_classification(
        self,
        text: str,
        *,
        model: str | None = None,
        aggregation_strategy: TokenClassificationAggregationStrategy | None = None,
        ignore_labels: list[str] | None = None,
        stride: int | None = None,
    ) -> Plan[list[TokenClassificationOutputElement]]:
        """Entities (or tagged tokens) found in ``text``."""
        parameters = {"aggregation_strategy": aggregation_strategy, "ignore_labels": ignore_labels, "stride": stride}
        data = yield from self._call("token-classification", model or self.model, text, parameters)
        return TokenClassificationOutputElement.parse_obj_as_list(data)

    def zero_shot_classification(
        self,
        text: str,
        candidate_labels: list[str],
        *,
        multi_label: bool | None = False,
        hypothesis_template: str | None = None,
        model: str | None = None,
    ) -> Plan[list[ZeroShotClassificationOutputElement]]:
        """Scores of each candidate label for ``text`` (independent ones with ``multi_label``)."""
        parameters = {
            "candidate_labels": candidate_labels,
            "multi_label": multi_label,
            "hypothesis_template": hypothesis_template,
        }
        data = yield from self._call("zero-shot-classification", model or self.model, text, parameters)
        return ZeroShotClassificationOutputElement.parse_obj_as_list(as_dict(data))

    def question_answering(
        self,
        question: str,
        context: str,
        *,
        model: str | None = None,
        align_to_words: bool | None = None,
        doc_stride: int | None = None,
        handle_impossible_answer: bool | None = None,
        max_answer_len: int | None = None,
        max_question_len: int | None = None,
        max_seq_len: int | None = None,
        top_k: int | None = None,
    ) -> Plan[QuestionAnsweringOutputElement | list[QuestionAnsweringOutputElement]]:
        """The answer(s) to ``question`` found in ``context``."""
        parameters = {
            "align_to_words": align_to_words,
            "doc_stride": doc_stride,
            "handle_impossible_answer": handle_impossible_answer,
            "max_answer_len": max_answer_len,
            "max_question_len": max_question_len,
            "max_seq_len": max_seq_len,
            "top_k": top_k,
        }
        inputs = {"question": question, "context": context}
        data = yield from self._call("question-answering", model or self.model, inputs, parameters)
        return QuestionAnsweringOutputElement.parse_obj(data)

    def table_question_answering(
        self,
        table: dict[str, Any],
        query: str,
        *,
        model: str | None = None,
        padding: Padding | None = None,
        sequential: bool | None = None,
        truncation: bool | None = None,
    ) -> Plan[TableQuestionAnsweringOutputElement]:
        """The answer to ``query`` over ``table`` (columns as lists of cells)."""
        parameters = {"model": model, "padding": padding, "sequential": sequential, "truncation": truncation}
        data = yield from self._call(
            "table-question-answering", model or self.model, {"query": query, "table": table}, parameters
        )
        return TableQuestionAnsweringOutputElement.parse_obj_as_instance(data)

    def tabular_classification(self, table: dict[str, Any], *, model: str | None = None) -> Plan[list[str]]:
        """One label per row of ``table``."""
        return as_dict(
            (yield from self._call("tabular-classification", model or self.model, None, {}, {"table": table}))
        )

    def tabular_regression(self, table: dict[str, Any], *, model: str | None = None) -> Plan[list[float]]:
        """One value per row of ``table``."""
        return as_dict((yield from self._call("tabular-regression", model or self.model, None, {}, {"table": table})))

    def summarization(
        self,
        text: str,
        *,
        model: str | None = None,
        clean_up_tokenization_spaces: bool | None = None,
        generate_parameters: dict[str, Any] | None = None,
        truncation: SummarizationTruncationStrategy | None = None,
    ) -> Plan[SummarizationOutput]:
        """A summary of ``text``."""
        parameters = {
            "clean_up_tokenization_spaces": clean_up_tokenization_spaces,
            "generate_parameters": generate_parameters,
            "truncation": truncation,
        }
        data = yield from self._call("summarization", model or self.model, text, parameters)
        return SummarizationOutput.parse_obj_as_list(data)[0]

    def translation(
        self,
        text: str,
        *,
        model: str | None = None,
        src_lang: str | None = None,
        tgt_lang: str | None = None,
        clean_up_tokenization_spaces: bool | None = None,
        truncation: TranslationTruncationStrategy | None = None,
        generate_parameters: dict[str, Any] | None = None,
    ) -> Plan[TranslationOutput]:
        """``text`` translated (``src_lang`` and ``tgt_lang`` go together, for multilingual models)."""
        if src_lang is not None and tgt_lang is None:
            raise ValueError("You cannot specify `src_lang` without specifying `tgt_lang`.")
        if src_lang is None and tgt_lang is not None:
            raise ValueError("You cannot specify `tgt_lang` without specifying `src_lang`.")
        parameters = {
            "src_lang": src_lang,
            "tgt_lang": tgt_lang,
            "clean_up_tokenization_spaces": clean_up_tokenization_spaces,
            "truncation": truncation,
            "generate_parameters": generate_parameters,
        }
        data = yield from self._call("translation", model or self.model, text, parameters)
        return TranslationOutput.parse_obj_as_list(data)[0]
