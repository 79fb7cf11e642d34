"""Image, audio, video and document tasks, each written once as a plan (see ``_tasks_text``).

Inputs are bytes, binary files, paths, URLs or PIL images wherever ``huggingface_hub`` accepts them.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from ._common import ContentT, Plan, as_dict, b64_encode, b64_to_image, bytes_to_image
from ._plans import PlanBase
from .types import (
    AudioClassificationOutputElement,
    AudioClassificationOutputTransform,
    AudioToAudioOutputElement,
    AutomaticSpeechRecognitionOutput,
    DocumentQuestionAnsweringOutputElement,
    ImageClassificationOutputElement,
    ImageClassificationOutputTransform,
    ImageSegmentationOutputElement,
    ImageSegmentationSubtask,
    ImageToImageTargetSize,
    ImageToTextOutput,
    ImageToVideoTargetSize,
    ObjectDetectionOutputElement,
    TextToSpeechEarlyStoppingEnum,
    VisualQuestionAnsweringOutputElement,
    ZeroShotImageClassificationOutputElement,
)

if TYPE_CHECKING:
    from PIL.Image import Image


class MediaTasks(PlanBase):
    def audio_classification(
        self,
        audio: ContentT,
        *,
        model: str | None = None,
        top_k: int | None = None,
        function_to_apply: AudioClassificationOutputTransform | None = None,
    ) -> Plan[list[AudioClassificationOutputElement]]:
        """Labels of a sound with their scores."""
        parameters = {"function_to_apply": function_to_apply, "top_k": top_k}
        data = yield from self._call("audio-classification", model or self.model, audio, parameters)
        return AudioClassificationOutputElement.parse_obj_as_list(data)

    def audio_to_audio(self, audio: ContentT, *, model: str | None = None) -> Plan[list[AudioToAudioOutputElement]]:
        """Sounds made from a sound (separation, enhancement); ``blob`` holds each one's bytes."""
        out = AudioToAudioOutputElement.parse_obj_as_list(
            (yield from self._call("audio-to-audio", model or self.model, audio, {}))
        )
        for item in out:
            item.blob = base64.b64decode(item.blob)
        return out

    def automatic_speech_recognition(
        self, audio: ContentT, *, model: str | None = None, extra_body: dict | None = None
    ) -> Plan[AutomaticSpeechRecognitionOutput]:
        """The text spoken in a sound."""
        data = yield from self._call("automatic-speech-recognition", model or self.model, audio, {**(extra_body or {})})
        return AutomaticSpeechRecognitionOutput.parse_obj_as_instance(data)

    def text_to_speech(
        self,
        text: str,
        *,
        model: str | None = None,
        do_sample: bool | None = None,
        early_stopping: bool | TextToSpeechEarlyStoppingEnum | None = None,
        epsilon_cutoff: float | None = None,
        eta_cutoff: float | None = None,
        max_length: int | None = None,
        max_new_tokens: int | None = None,
        min_length: int | None = None,
        min_new_tokens: int | None = None,
        num_beam_groups: int | None = None,
        num_beams: int | None = None,
        penalty_alpha: float | None = None,
        temperature: float | None = None,
        top_k: int | None = None,
        top_p: float | None = None,
        typical_p: float | None = None,
        use_cache: bool | None = None,
        extra_body: dict[str, Any] | None = None,
    ) -> Plan[bytes]:
        """Speech for ``text``, as the audio file's bytes."""
        parameters = {
            "do_sample": do_sample,
            "early_stopping": early_stopping,
            "epsilon_cutoff": epsilon_cutoff,
            "eta_cutoff": eta_cutoff,
            "max_length": max_length,
            "max_new_tokens": max_new_tokens,
            "min_length": min_length,
            "min_new_tokens": min_new_tokens,
            "num_beam_groups": num_beam_groups,
            "num_beams": num_beams,
            "penalty_alpha": penalty_alpha,
            "temperature": temperature,
            "top_k": top_k,
            "top_p": top_p,
            "typical_p": typical_p,
            "use_cache": use_cache,
            **(extra_body or {}),
        }
        return (yield from self._call("text-to-speech", model or self.model, text, parameters))

    def image_classification(
        self,
        image: ContentT,
        *,
        model: str | None = None,
        function_to_apply: ImageClassificationOutputTransform | None = None,
        top_k: int | None = None,
    ) -> Plan[list[ImageClassificationOutputElement]]:
        """Labels of an image with their scores."""
        parameters = {"function_to_apply": function_to_apply, "top_k": top_k}
        data = yield from self._call("image-classification", model or self.model, image, parameters)
        return ImageClassificationOutputElement.parse_obj_as_list(data)

    def image_segmentation(
        self,
        image: ContentT,
        *,
        model: str | None = None,
        mask_threshold: float | None = None,
        overlap_mask_area_threshold: float | None = None,
        subtask: ImageSegmentationSubtask | None = None,
        threshold: float | None = None,
    ) -> Plan[list[ImageSegmentationOutputElement]]:
        """Segments of an image; each ``mask`` is a PIL image."""
        parameters = {
            "mask_threshold": mask_threshold,
            "overlap_mask_area_threshold": overlap_mask_area_threshold,
            "subtask": subtask,
            "threshold": threshold,
        }
        out = ImageSegmentationOutputElement.parse_obj_as_list(
            (yield from self._call("image-segmentation", model or self.model, image, parameters))
        )
        for item in out:
            item.mask = b64_to_image(item.mask)  # type: ignore[assignment]
        return out

    def image_to_image(
        self,
        image: ContentT,
        prompt: str | None = None,
        *,
        negative_prompt: str | None = None,
        num_inference_steps: int | None = None,
        guidance_scale: float | None = None,
        model: str | None = None,
        target_size: ImageToImageTargetSize | None = None,
        **kwargs: Any,
    ) -> Plan[Image]:
        """An image made from an image (and a prompt), as a PIL image."""
        parameters = {
            "prompt": prompt,
            "negative_prompt": negative_prompt,
            "target_size": target_size,
            "num_inference_steps": num_inference_steps,
            "guidance_scale": guidance_scale,
            **kwargs,
        }
        return bytes_to_image((yield from self._call("image-to-image", model or self.model, image, parameters)))

    def image_to_video(
        self,
        image: ContentT,
        *,
        model: str | None = None,
        prompt: str | None = None,
        negative_prompt: str | None = None,
        num_frames: float | None = None,
        num_inference_steps: int | None = None,
        guidance_scale: float | None = None,
        seed: int | None = None,
        target_size: ImageToVideoTargetSize | None = None,
        **kwargs: Any,
    ) -> Plan[bytes]:
        """A video made from an image, as the video file's bytes."""
        parameters = {
            "prompt": prompt,
            "negative_prompt": negative_prompt,
            "num_frames": num_frames,
            "num_inference_steps": num_inference_steps,
            "guidance_scale": guidance_scale,
            "seed": seed,
            "target_size": target_size,
            **kwargs,
        }
        return (yield from self._call("image-to-video", model or self.model, image, parameters))

    def image_to_text(self, image: ContentT, *, model: str | None = None) -> Plan[ImageToTextOutput]:
        """A caption of an image."""
        return ImageToTextOutput.parse_obj_as_list(
            (yield from self._call("image-to-text", model or self.model, image, {}))
        )[0]

    def object_detection(
        self, image: ContentT, *, model: str | None = None, threshold: float | None = None
    ) -> Plan[list[ObjectDetectionOutputElement]]:
        """Objects found in an image, with their boxes."""
        data = yield from self._call("object-detection", model or self.model, image, {"threshold": threshold})
        return ObjectDetectionOutputElement.parse_obj_as_list(data)

    def text_to_image(
        self,
        prompt: str,
        *,
        negative_prompt: str | None = None,
        height: int | None = None,
        width: int | None = None,
        num_inference_steps: int | None = None,
        guidance_scale: float | None = None,
        model: str | None = None,
        scheduler: str | None = None,
        seed: int | None = None,
        extra_body: dict[str, Any] | None = None,
    ) -> Plan[Image]:
        """An image for ``prompt``, as a PIL image."""
        parameters = {
            "negative_prompt": negative_prompt,
            "height": height,
            "width": width,
            "num_inference_steps": num_inference_steps,
            "guidance_scale": guidance_scale,
            "scheduler": scheduler,
            "seed": seed,
            **(extra_body or {}),
        }
        return bytes_to_image((yield from self._call("text-to-image", model or self.model, prompt, parameters)))

    def text_to_video(
        self,
        prompt: str,
        *,
        model: str | None = None,
        guidance_scale: float | None = None,
        negative_prompt: list[str] | None = None,
        num_frames: float | None = None,
        num_inference_steps: int | None = None,
        seed: int | None = None,
        extra_body: dict[str, Any] | None = None,
    ) -> Plan[bytes]:
        """A video for ``prompt``, as the video file's bytes."""
        parameters = {
            "guidance_scale": guidance_scale,
            "negative_prompt": negative_prompt,
            "num_frames": num_frames,
            "num_inference_steps": num_inference_steps,
            "seed": seed,
            **(extra_body or {}),
        }
        return (yield from self._call("text-to-video", model or self.model, prompt, parameters))

    def document_question_answering(
        self,
        image: ContentT,
        question: str,
        *,
        model: str | None = None,
        doc_stride: int | None = None,
        handle_impossible_answer: bool | None = None,
        lang: str | None = None,
        max_answer_len: int | None = None,
        max_question_len: int | None = None,
        max_seq_len: int | None = None,
        top_k: int | None = None,
        word_boxes: list[list[float] | str] | None = None,
    ) -> Plan[list[DocumentQuestionAnsweringOutputElement]]:
        """Answers to ``question`` read in a document image."""
        inputs = {"question": question, "image": (yield from b64_encode(image))}
        parameters = {
            "doc_stride": doc_stride,
            "handle_impossible_answer": handle_impossible_answer,
            "lang": lang,
            "max_answer_len": max_answer_len,
            "max_question_len": max_question_len,
            "max_seq_len": max_seq_len,
            "top_k": top_k,
            "word_boxes": word_boxes,
        }
        data = yield from self._call("document-question-answering", model or self.model, inputs, parameters)
        return DocumentQuestionAnsweringOutputElement.parse_obj_as_list(data)

    def visual_question_answering(
        self, image: ContentT, question: str, *, model: str | None = None, top_k: int | None = None
    ) -> Plan[list[VisualQuestionAnsweringOutputElement]]:
        """Answers to ``question`` about an image."""
        extra = {"question": question, "image": (yield from b64_encode(image))}
        data = yield from self._call("visual-question-answering", model or self.model, image, {"top_k": top_k}, extra)
        return VisualQuestionAnsweringOutputElement.parse_obj_as_list(data)

    def zero_shot_image_classification(
        self,
        image: ContentT,
        candidate_labels: list[str],
        *,
        model: str | None = None,
        hypothesis_template: str | None = None,
    ) -> Plan[list[ZeroShotImageClassificationOutputElement]]:
        """Scores of each candidate label for an image (two labels at least)."""
        if len(candidate_labels) < 2:
            raise ValueError("You must specify at least 2 classes to compare.")
        parameters = {"candidate_labels": candidate_labels, "hypothesis_template": hypothesis_template}
        data = yield from self._call("zero-shot-image-classification", model or self.model, image, parameters)
        return ZeroShotImageClassificationOutputElement.parse_obj_as_list(as_dict(data))
