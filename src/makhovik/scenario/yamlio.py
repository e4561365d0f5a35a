"""Reading YAML that a user wrote, safely: every failure is one line naming the field, and nothing explodes.

PyYAML's ``safe_load`` is safe against code execution but not against the other ways a
file can go wrong, each of which :func:`parse` refuses with a
:class:`~makhovik.errors.ScenarioError` before anything else reads the data:

- bytes that are not UTF-8 (the message gives the line and the byte);
- nesting deeper than :data:`MAX_DEPTH` (PyYAML's composer recurses and would crash);
- aliases that expand to more than :data:`MAX_VALUES` values (a "billion laughs" file of a
  few kilobytes expands to tens of millions; the count is made on the parsed graph, where an
  alias is a shared node, so refusing costs nothing), and aliases that refer to themselves;
- a key given twice in one mapping (YAML says keys are unique; PyYAML keeps the last);
- tags other than YAML's plain ones (``!!python/object``, ``!custom``, ``!!binary``...);
- values PyYAML recognises but cannot build, such as the date ``1939-13-31``, named by
  their path (``calendar.end``), not only by the file;
- files over :data:`MAX_BYTES`.
"""

from __future__ import annotations

from typing import Any

import yaml

from ..errors import ScenarioError, short_repr

__all__ = ["parse", "YAMLSyntaxError", "MAX_DEPTH", "MAX_VALUES", "MAX_BYTES"]

#: Deepest nesting of mappings and lists (a scenario needs five).
MAX_DEPTH = 40
#: Most values (mappings, lists and scalars) once aliases are expanded (a scenario has about 1,500).
MAX_VALUES = 100_000
#: Largest file read (a scenario is about 10 KB).
MAX_BYTES = 2 * 2**20

_PLAIN = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}
_MERGE = "tag:yaml.org,2002:merge"
_KIND = {"int": "integer", "float": "number", "bool": "true or false", "timestamp": "date (YYYY-MM-DD)",
         "null": "null"}


class YAMLSyntaxError(ScenarioError):
    """The text is not YAML at all (a ``--set`` value that fails this way is taken as a plain string)."""


class _TooDeep(Exception):
    def __init__(self, mark):
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with a guard on nesting depth (its composer recurses once per level)."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _where(mark, source: str) -> str:
    if source.startswith("--set"):  # one line, named by the field already
        return ""
    return f" (line {mark.line + 1} of {source})" if mark is not None else f" ({source})"


def parse(data: str | bytes, source: str, what: str) -> Any:
    """Parse one YAML document written by a user into plain Python values.

    Parameters
    ----------
    data : str or bytes
        The document (bytes must be UTF-8).
    source : str
        Where it came from, for messages (a file name, ``--set world.scale``).
    what : str
        The field an error names when it is about the whole document (``scenario``,
        ``hypothesis``, or the path a ``--set`` sets).

    Raises
    ------
    ScenarioError
        Naming the field at fault where there is one (``calendar.end: expected a date...``).

    Examples
    --------
    >>> parse("a: {b: 1937-01-05}", "x.yaml", "scenario")
    {'a': {'b': datetime.date(1937, 1, 5)}}
    >>> parse("a: 1\\na: 2", "x.yaml", "scenario")
    Traceback (most recent call last):
    ...
    makhovik.errors.ScenarioError: a: expected each key once, this one is given again (line 2 of x.yaml)
    """
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise ScenarioError(what, f"expected a file under {MAX_BYTES // 2**20} MB, {source} has {len(data):,} bytes")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise ScenarioError(what, f"expected UTF-8 text, {source} has the byte 0x{data[exc.start]:02x} at line "
                                      f"{line} (save the file as UTF-8)") from None
    elif len(data) > MAX_BYTES:
        raise ScenarioError(what, f"expected at most {MAX_BYTES:,} characters, {source} has {len(data):,}")
    loader = None
    try:
        loader = _Loader(data)  # the reader refuses control characters here already
        node = loader.get_single_node()
        if node is None:
            return None
        _check(loader, node, [], what, source)
        return loader.construct_document(node)
    except _TooDeep as exc:
        raise ScenarioError(what, f"expected at most {MAX_DEPTH} levels of nesting{_where(exc.mark, source)}") from None
    except yaml.reader.ReaderError as exc:
        line = data[: exc.position].count("\n") + 1 if isinstance(data, str) else "?"
        raise YAMLSyntaxError(what, f"expected printable text, {source} has the character #x{exc.character:04x} "
                                    f"at line {line}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None)
        raise YAMLSyntaxError(what, f"expected valid YAML{': ' + problem if problem else ''}{_where(mark, source)}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _path(parts: list, what: str) -> str:
    if not parts:
        return what
    prefix = "" if what in ("scenario", "hypothesis") else f"{what}."
    return prefix + ".".join(str(p) for p in parts)


def _check(loader: _Loader, root, parts: list, what: str, source: str) -> None:
    """Walk the parsed graph once: tags, duplicated keys, buildable scalars, and the expanded size."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def walk(node, parts) -> int:
        key = id(node)
        if key in sizes:  # an alias of a node already seen: its values count again, nothing else to check
            return sizes[key]
        if key in open_:  # named by the file: the fault is the alias, wherever it is used
            raise ScenarioError(what, f"expected aliases that do not contain themselves, {_path(parts, what)} does"
                                      f"{_where(node.start_mark, source)}")
        tag = node.tag
        if tag not in _PLAIN:
            raise ScenarioError(_path(parts, what), f"expected a plain YAML value, got the tag {short_repr(tag, 40)}"
                                                    f"{_where(node.start_mark, source)}")
        open_.add(key)
        n = 1
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for k, v in node.value:
                if k.tag == _MERGE:
                    n += walk(v, parts)
                    continue
                if not isinstance(k, yaml.ScalarNode):
                    raise ScenarioError(_path(parts, what), f"expected text or numbers as keys{_where(k.start_mark, source)}")
                kv = _scalar(loader, k, parts, what, source)
                try:
                    hash(kv)
                except TypeError:  # pragma: no cover - scalars hash
                    kv = repr(kv)
                if kv in seen:
                    raise ScenarioError(_path([*parts, kv], what), "expected each key once, this one is given again"
                                                                   f"{_where(k.start_mark, source)}")
                seen[kv] = True
                n += walk(v, [*parts, kv])
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                n += walk(v, [*parts, i])
        else:
            _scalar(loader, node, parts, what, source)
        open_.discard(key)
        sizes[key] = n
        if n > MAX_VALUES:  # named by the file, with the place where the expansion passes the limit
            raise ScenarioError(what, f"expected at most {MAX_VALUES:,} values once aliases are expanded, "
                                      f"{_path(parts, what)} expands to more{_where(node.start_mark, source)}")
        return n

    walk(root, parts)


def _scalar(loader: _Loader, node, parts: list, what: str, source: str):
    try:
        return loader.construct_object(node)
    except (ValueError, OverflowError, yaml.YAMLError) as exc:
        kind = _KIND.get(node.tag.rsplit(":", 1)[-1], "value")
        raise ScenarioError(_path(parts, what), f"expected a valid {kind}, got {short_repr(node.value, 40)}: "
                                                f"{exc}{_where(node.start_mark, source)}") from None
