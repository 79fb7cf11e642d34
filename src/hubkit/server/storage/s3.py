"""Objects in an S3-compatible bucket (``s3://bucket/prefix``), for several server processes.

Endpoint, region and credentials come from the standard AWS variables (``AWS_ENDPOINT_URL``,
``AWS_ACCESS_KEY_ID``, ...). Objects are immutable, so "exists" answers are cached once true.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .gitstore import LRU
from .objects import check_key

PRESIGN_TTL = 3600


def parse_s3_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"storage URL must look like s3://bucket/prefix, got {url!r}")
    return parts.netloc, parts.path.strip("/")


class S3ObjectStore:
    def __init__(self, url: str, temp: Path) -> None:
        import boto3  # imported here: the embedded default never pays for it
        from botocore.config import Config

        self.bucket, self.prefix = parse_s3_url(url)
        self.client: Any = boto3.client(
            "s3", config=Config(retries={"max_attempts": 5, "mode": "standard"}, max_pool_connections=50)
        )
        self._tmp = temp
        self._tmp.mkdir(parents=True, exist_ok=True)
        self._small: LRU[str, bytes] = LRU(20_000)
        self._seen: LRU[str, bool] = LRU(200_000)

    # keys -------------------------------------------------------------------------------

    def _key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def staging_key(self, name: str) -> str:
        """A bucket key outside the content-addressed space, for uploads not yet verified."""
        return f"{self.prefix}/staging/{name}" if self.prefix else f"staging/{name}"

    # the ObjectStore protocol -------------------------------------------------------------

    def exists(self, key: str) -> bool:
        # objects are immutable: once seen, they stay (only garbage collection removes them)
        if self._seen.get(key):
            return True
        found = self.size(key) is not None
        if found:
            self._seen.put(key, True)
        return found

    def size(self, key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return int(head["ContentLength"])

    def get_bytes(self, key: str) -> bytes:
        cached = self._small.get(key)
        if cached is not None:
            return cached
        from botocore.exceptions import ClientError

        try:
            data: bytes = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                raise KeyError(key) from None
            raise
        if len(data) <= 64 * 1024:  # trees, commits, small blobs: immutable, worth keeping
            self._small.put(key, data)
        return data

    def read_range(self, key: str, start: int, end: int) -> bytes:
        if end <= start:
            return b""
        body = self.client.get_object(Bucket=self.bucket, Key=self._key(key), Range=f"bytes={start}-{end - 1}")
        return bytes(body["Body"].read())

    def put_bytes(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def put_file(self, key: str, src: Path) -> None:
        self.client.upload_file(str(src), self.bucket, self._key(key))
        Path(src).unlink(missing_ok=True)

    def local_path(self, key: str) -> Path | None:
        return None

    def temp_dir(self) -> Path:
        return self._tmp

    # S3 specifics ---------------------------------------------------------------------------

    def presign_get(self, key: str, filename: str | None = None) -> str:
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self._key(key)}
        if filename:
            params["ResponseContentDisposition"] = f'inline; filename="{filename}"'
        url: str = self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=PRESIGN_TTL)
        return url

    def presign_put(self, bucket_key: str) -> str:
        params = {"Bucket": self.bucket, "Key": bucket_key}
        url: str = self.client.generate_presigned_url("put_object", Params=params, ExpiresIn=PRESIGN_TTL)
        return url

    def start_multipart(self, bucket_key: str) -> str:
        upload_id: str = self.client.create_multipart_upload(Bucket=self.bucket, Key=bucket_key)["UploadId"]
        return upload_id

    def presign_part(self, bucket_key: str, upload_id: str, part: int) -> str:
        params = {"Bucket": self.bucket, "Key": bucket_key, "UploadId": upload_id, "PartNumber": part}
        url: str = self.client.generate_presigned_url("upload_part", Params=params, ExpiresIn=PRESIGN_TTL)
        return url

    def complete_multipart(self, bucket_key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=bucket_key,
            UploadId=upload_id,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": etag} for n, etag in parts]},
        )

    def staged_size(self, bucket_key: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=bucket_key)["ContentLength"])
        except ClientError:
            return None

    def iter_staged(self, bucket_key: str, block: int = 8 * 1024 * 1024) -> Any:
        body = self.client.get_object(Bucket=self.bucket, Key=bucket_key)["Body"]
        return body.iter_chunks(block)

    def promote(self, bucket_key: str, key: str) -> None:
        """Copy a verified staged upload to its content address, then drop the staged copy."""
        target = self._key(key)
        self.client.copy({"Bucket": self.bucket, "Key": bucket_key}, self.bucket, target)
        self.client.delete_object(Bucket=self.bucket, Key=bucket_key)

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def list_keys(self, kind: str) -> Any:
        """(key, size, last modified) of every object of a kind, for garbage collection."""
        prefix = f"{self.prefix}/{kind}/" if self.prefix else f"{kind}/"
        strip = len(self.prefix) + 1 if self.prefix else 0
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                yield obj["Key"][strip:], obj["Size"], obj["LastModified"]
