"""Who answers hf:// when hubkit and huggingface_hub are both installed (decision in hubkit/fs/__init__.py).

Both packages declare an ``hf`` entry point in ``fsspec.specs`` and fsspec keeps the first one it
meets, which depends on the installation. hubkit's entry point resolves to huggingface_hub's class
whenever huggingface_hub is importable, so the answer is the same in every order: installing hubkit
never changes what hf:// means to existing code. Without huggingface_hub, hf:// is hubkit's; and
``hubkit.fs.register_hf_protocol()`` makes it hubkit's on purpose. Each case runs in a fresh
interpreter, as fsspec reads entry points once per process.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import entry_points

import pytest

from hubserver import ALICE

HFH = "huggingface_hub.hf_file_system.HfFileSystem"
OURS = "hubkit.fs.filesystem.HfFileSystem"

# Makes `import huggingface_hub` fail, as if it were not installed.
HIDE_HFH = """
import sys
class _Hide:
    def find_spec(self, name, path=None, target=None):
        if name == "huggingface_hub" or name.startswith("huggingface_hub."):
            raise ModuleNotFoundError(f"No module named {name!r}")
sys.meta_path.insert(0, _Hide())
"""


def run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def qualified(expression: str) -> str:
    return f"cls = {expression}; print(cls.__module__ + '.' + cls.__qualname__)"


def test_hubkit_declares_the_hf_entry_point() -> None:
    ours = [ep for ep in entry_points(group="fsspec.specs") if ep.name == "hf" and ep.value.startswith("hubkit")]
    assert [ep.value for ep in ours] == ["hubkit.fs._entrypoint:HfFileSystem"]


def test_with_huggingface_hub_installed_hf_is_huggingface_hubs_whichever_entry_point_wins() -> None:
    assert run("import fsspec\n" + qualified('fsspec.get_filesystem_class("hf")')) == HFH
    for first in ("hubkit.fs._entrypoint.HfFileSystem", "huggingface_hub.HfFileSystem"):
        # what fsspec's process_entries does with the first "hf" entry point it meets (it skips the other)
        code = f"""
            import importlib, fsspec
            importlib.import_module("fsspec.registry")._registry.pop("hf", None)
            fsspec.register_implementation("hf", {first!r}, clobber=True)
            """
        assert run(textwrap.dedent(code) + qualified('fsspec.get_filesystem_class("hf")')) == HFH


def test_without_huggingface_hub_hf_is_hubkits(hub) -> None:
    code = HIDE_HFH + textwrap.dedent(f"""
        import importlib, fsspec
        registry = importlib.import_module("fsspec.registry")
        registry._registry.pop("hf", None)
        registry.known_implementations["hf"] = {{"class": "hubkit.fs._entrypoint.HfFileSystem", "err": "x"}}
        fs = fsspec.filesystem("hf", endpoint={hub.url!r}, token={ALICE!r})
        print(type(fs).__module__ + "." + type(fs).__qualname__)
        print(fs.exists("datasets/alice/does-not-exist/x"))
        """)
    assert run(code).splitlines() == [OURS, "False"]


def test_register_hf_protocol_makes_hf_hubkits() -> None:
    code = """
        import fsspec, hubkit.fs
        hubkit.fs.register_hf_protocol()
        """
    assert run(textwrap.dedent(code) + qualified('fsspec.get_filesystem_class("hf")')) == OURS


@pytest.mark.parametrize("name", ["HfFileSystem", "HfFileSystemFile", "HfFileSystemResolvedPath"])
def test_public_names(name: str) -> None:
    import hubkit
    import hubkit.fs

    assert getattr(hubkit, name) is getattr(hubkit.fs, name)
