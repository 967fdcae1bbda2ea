"""Finding the files to check: directory walks, exclusions, ``.gitignore``.

Directories are walked for ``*.py`` and ``*.pyi`` files, depth first, in name order.  While
walking, three things can leave an entry out:

* the ``exclude`` patterns (by default :data:`DEFAULT_EXCLUDE_DIRS`) and ``extend-exclude``
  patterns of the configuration that governs the directory being listed;
* ``.gitignore`` files (and ``.git/info/exclude``) when the walk is inside a git repository and
  ``respect-gitignore`` is on (as in ruff and ripgrep, outside a repository they are ignored);
* what cannot be linted: symbolic links to directories are not followed (so a link loop cannot
  make the walk endless), and named pipes, sockets and devices are skipped (reading a pipe
  nobody writes to would hang the run).

A path named on the command line is always checked, excluded or not, unless
``force_exclude`` is set (``--force-exclude``: pre-commit names every staged file, and an
excluded one should stay excluded).

Patterns follow ``.gitignore`` syntax: a pattern without a slash matches a file or directory
name at any depth (``build``, ``*_pb2.py``); one with a slash is anchored at the directory of
the file that holds it (``src/generated/``, ``/setup.py``); ``*`` and ``?`` stay within one
path component, ``**`` spans any number of them; a trailing ``/`` matches directories only;
``!`` re-includes (in ``.gitignore`` files, and as a negated pattern elsewhere).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

# Directories never descended into (explicitly named paths are always checked).
DEFAULT_EXCLUDE_DIRS = {
    ".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".tox", ".nox", ".eggs", "__pycache__",
    "node_modules", "build", "dist", "site-packages", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", ".shapelint_cache", "__pypackages__", ".ipynb_checkpoints",
}
# as patterns: what `exclude` replaces and `extend-exclude` adds to
DEFAULT_EXCLUDE = tuple(sorted(DEFAULT_EXCLUDE_DIRS)) + ("*.egg-info",)
PYTHON_SUFFIXES = (".py", ".pyi")


# -- gitignore-style patterns ------------------------------------------------------------------


class Pattern:
    """One gitignore-style pattern, compiled."""

    __slots__ = ("text", "negated", "dir_only", "anchored", "regex")

    def __init__(self, text: str, negated: bool, dir_only: bool, anchored: bool, regex):
        self.text = text
        self.negated = negated
        self.dir_only = dir_only
        self.anchored = anchored
        self.regex = regex

    def matches(self, rel: Optional[str], name: str, is_dir: bool) -> bool:
        """Whether the pattern matches a path: ``rel`` is the path relative to the pattern's
        base directory with ``/`` separators (None when the path is not below it), ``name``
        its last component.  Negation is left to the caller."""
        if self.dir_only and not is_dir:
            return False
        if not self.anchored:
            return self.regex.match(name) is not None
        return rel is not None and self.regex.match(rel) is not None

    def __repr__(self) -> str:
        return "Pattern(%r)" % self.text


def _segment_regex(seg: str) -> str:
    out = []
    i, n = 0, len(seg)
    while i < n:
        c = seg[i]
        if c == "\\" and i + 1 < n:
            out.append(re.escape(seg[i + 1]))
            i += 2
            continue
        if c == "*":
            while i < n and seg[i] == "*":
                i += 1
            out.append("[^/]*")
            continue
        if c == "?":
            out.append("[^/]")
        elif c == "[":
            j = i + 1
            if j < n and seg[j] in "!^":
                j += 1
            if j < n and seg[j] == "]":
                j += 1
            while j < n and seg[j] != "]":
                j += 1
            if j >= n:  # no closing bracket: a literal "["
                out.append(re.escape(c))
            else:
                body = seg[i + 1:j]
                neg = body[:1] in ("!", "^")
                if neg:
                    body = body[1:]
                body = body.replace("\\", "\\\\")
                out.append("[%s%s]" % ("^" if neg else "", body))
                i = j + 1
                continue
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def compile_pattern(text: str, gitignore: bool = False) -> Optional[Pattern]:
    """A :class:`Pattern`, or None for a blank line (and, in a ``.gitignore``, a comment).
    Raises ValueError for a pattern that cannot match anything (``/`` or ``!``)."""
    p = text
    if gitignore:
        if p.startswith("#"):
            return None
        # trailing spaces are ignored unless escaped with a backslash
        stripped = p.rstrip(" ")
        if stripped.endswith("\\") and len(stripped) < len(p):
            stripped += " "
        p = stripped
    if not p.strip():
        return None
    negated = False
    if p.startswith("!"):
        negated = True
        p = p[1:]
    elif p.startswith(("\\!", "\\#")):
        p = p[1:]
    dir_only = p.endswith("/")
    p = p.rstrip("/")
    anchored = "/" in p
    p = p.lstrip("/")
    if not p:
        raise ValueError("%r matches nothing" % text)
    if not anchored:
        regex = _segment_regex(p)
    else:
        parts = p.split("/")
        pieces = []
        last = len(parts) - 1
        for idx, seg in enumerate(parts):
            if seg == "**":
                pieces.append(".+" if idx == last else "(?:[^/]+/)*")
                continue
            pieces.append(_segment_regex(seg))
            if idx != last:
                pieces.append("/")
        regex = "".join(pieces)
    return Pattern(text, negated, dir_only, anchored, re.compile("(?s:%s)\\Z" % regex))


def relative_to(path: str, base: str) -> Optional[str]:
    """``path`` relative to ``base`` with ``/`` separators (both absolute and normalized), or
    None when ``path`` is not strictly below ``base``."""
    if base.endswith(os.sep):
        prefix = base
    else:
        prefix = base + os.sep
    if not path.startswith(prefix) or len(path) == len(prefix):
        return None
    rel = path[len(prefix):]
    return rel if os.sep == "/" else rel.replace(os.sep, "/")


@dataclass
class PatternSet:
    """Patterns relative to one base directory (a configuration file's directory, the working
    directory for command-line patterns, or a ``.gitignore`` file's directory)."""

    base: str
    patterns: List[Pattern]
    # without negated patterns the order does not matter: one combined expression per kind
    # (name / directory name / relative path) answers at once
    _fast: Optional[Tuple] = field(default=None, repr=False, compare=False)

    def _combined(self) -> Tuple:
        if self._fast is None:
            if any(p.negated for p in self.patterns):
                self._fast = (False,)
            else:
                def join(pats):
                    texts = [p.regex.pattern for p in pats]
                    return re.compile("|".join("(?:%s)" % t for t in texts)) if texts else None

                names = join([p for p in self.patterns if not p.anchored and not p.dir_only])
                dir_names = join([p for p in self.patterns if not p.anchored and p.dir_only])
                rels = join([p for p in self.patterns if p.anchored and not p.dir_only])
                dir_rels = join([p for p in self.patterns if p.anchored and p.dir_only])
                self._fast = (True, names, dir_names, rels, dir_rels)
        return self._fast

    def decision(self, path: str, is_dir: bool) -> Optional[bool]:
        """True (matched), False (matched by a negated pattern) or None; the last matching
        pattern decides, as in git."""
        if not self.patterns:
            return None
        fast = self._combined()
        name = os.path.basename(path)
        if fast[0]:
            _, names, dir_names, rels, dir_rels = fast
            if names is not None and names.match(name):
                return True
            if is_dir and dir_names is not None and dir_names.match(name):
                return True
            if rels is None and (dir_rels is None or not is_dir):
                return None
            rel = relative_to(path, self.base)
            if rel is None:
                return None
            if rels is not None and rels.match(rel):
                return True
            if is_dir and dir_rels is not None and dir_rels.match(rel):
                return True
            return None
        rel = relative_to(path, self.base)
        for pat in reversed(self.patterns):
            if pat.matches(rel, name, is_dir):
                return not pat.negated
        return None

    def matches(self, path: str, is_dir: bool) -> bool:
        return self.decision(path, is_dir) is True


def pattern_set(base: str, texts: Iterable[str]) -> PatternSet:
    """Compile ``texts`` (raises ValueError naming a bad pattern)."""
    pats = []
    for t in texts:
        p = compile_pattern(t)
        if p is not None:
            pats.append(p)
    return PatternSet(os.path.abspath(base), pats)


def matches_path_or_parent(ps: PatternSet, path: str, stop: Optional[str] = None) -> bool:
    """Whether ``path`` (absolute, a file) or one of its parent directories below ``stop``
    (default: the set's base) matches ``ps``: ``tests/`` covers ``tests/unit/test_x.py``."""
    stop = stop or ps.base
    if ps.matches(path, os.path.isdir(path)):
        return True
    d = os.path.dirname(path)
    while relative_to(d, stop) is not None:
        if ps.matches(d, True):
            return True
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return False


# -- .gitignore -----------------------------------------------------------------------------------

_IGNORE_FILES: Dict[str, Optional[PatternSet]] = {}
_GIT_ROOTS: Dict[str, Optional[str]] = {}


def _read_ignore_file(path: str, base: str) -> Optional[PatternSet]:
    key = path
    if key in _IGNORE_FILES:
        return _IGNORE_FILES[key]
    ps = None
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError:
        raw = None
    if raw is not None:
        pats = []
        for line in raw.decode("utf-8", "surrogateescape").splitlines():
            try:
                p = compile_pattern(line, gitignore=True)
            except ValueError:
                continue  # git ignores lines that match nothing, so do we
            if p is not None:
                pats.append(p)
        if pats:
            ps = PatternSet(base, pats)
    _IGNORE_FILES[key] = ps
    return ps


def _dir_ignore(d: str) -> Optional[PatternSet]:
    return _read_ignore_file(os.path.join(d, ".gitignore"), d)


def _repo_exclude(git_root: str) -> Optional[PatternSet]:
    return _read_ignore_file(os.path.join(git_root, ".git", "info", "exclude"), git_root)


def git_root(d: str) -> Optional[str]:
    """The closest directory at or above ``d`` (absolute) holding ``.git`` (a directory, or a
    file in worktrees and submodules), or None."""
    seen = []
    cur = d
    found: Optional[str] = None
    while True:
        if cur in _GIT_ROOTS:
            found = _GIT_ROOTS[cur]
            break
        seen.append(cur)
        if os.path.exists(os.path.join(cur, ".git")):
            found = cur
            break
        parent = os.path.dirname(cur)
        if parent == cur:
            break
        cur = parent
    for s in seen:
        _GIT_ROOTS[s] = found
    return found


def ignore_chain(d: str) -> List[PatternSet]:
    """The ignore files that apply to entries of directory ``d`` (absolute), shallowest
    first: the repository's ``info/exclude``, then each ``.gitignore`` from the repository's
    top down to ``d``.  Empty outside a git repository."""
    root = git_root(d)
    if root is None:
        return []
    chain = []
    ex = _repo_exclude(root)
    if ex is not None:
        chain.append(ex)
    dirs = []
    cur = d
    while True:
        dirs.append(cur)
        if cur == root:
            break
        parent = os.path.dirname(cur)
        if parent == cur:
            break
        cur = parent
    for x in reversed(dirs):
        ps = _dir_ignore(x)
        if ps is not None:
            chain.append(ps)
    return chain


def gitignored(chain: Sequence[PatternSet], path: str, is_dir: bool) -> bool:
    """Git's precedence: the deepest ignore file with a matching pattern decides."""
    for ps in reversed(chain):
        d = ps.decision(path, is_dir)
        if d is not None:
            return d
    return False


# -- the walk ----------------------------------------------------------------------------------


@dataclass
class DirPolicy:
    """What decides, for the entries of one directory, whether they are skipped."""

    excludes: List[PatternSet] = field(default_factory=list)
    respect_gitignore: bool = True
    root: Optional[str] = None  # the configuration's directory (where explicit-path checks stop)

    def excluded(self, path: str, is_dir: bool) -> bool:
        return any(ps.matches(path, is_dir) for ps in self.excludes)


_DEFAULT_PATTERNS: List[Pattern] = []


def default_patterns() -> List[Pattern]:
    if not _DEFAULT_PATTERNS:
        _DEFAULT_PATTERNS.extend(p for p in (compile_pattern(t) for t in DEFAULT_EXCLUDE) if p is not None)
    return _DEFAULT_PATTERNS


def default_policy(d: str) -> DirPolicy:
    """No configuration: the default exclusions, ``.gitignore`` respected."""
    cwd = os.getcwd()
    return DirPolicy([PatternSet(cwd, default_patterns())], True, cwd)


@dataclass
class Discovery:
    files: List[str] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)
    # (path, reason): directories that could not be listed
    errors: List[Tuple[str, str]] = field(default_factory=list)
    # explicitly named paths left out by --force-exclude
    excluded: List[str] = field(default_factory=list)


def discover(paths: Sequence[str]) -> Tuple[List[str], List[str]]:
    """(files to check, paths that do not exist), with the default exclusions only."""
    d = collect(paths)
    return d.files, d.missing


def collect(
    paths: Sequence[str],
    policy_for: Optional[Callable[[str], DirPolicy]] = None,
    force_exclude: bool = False,
) -> Discovery:
    """Every file to check under ``paths``; ``-`` (standard input) is passed through.

    ``policy_for(directory)`` gives the exclusions that apply to a directory's entries (the
    directory is absolute and normalized); the default is :data:`DEFAULT_EXCLUDE` and
    ``.gitignore``.
    """
    policy_for = policy_for or default_policy
    out = Discovery()
    seen = set()

    def add(display: str, absolute: str) -> None:
        key = os.path.normcase(absolute)
        if key not in seen:
            seen.add(key)
            out.files.append(display)

    for p in paths:
        if p == "-":
            out.files.append(p)
            continue
        absolute = os.path.abspath(p)
        if os.path.isdir(p):
            if force_exclude and _explicit_excluded(absolute, True, policy_for):
                out.excluded.append(p)
                continue
            _walk(p, absolute, policy_for, add, out.errors)
        elif os.path.exists(p) or os.path.islink(p):
            # a file, a broken link or a link loop: reading it reports what is wrong (SL002)
            if force_exclude and _explicit_excluded(absolute, False, policy_for):
                out.excluded.append(p)
                continue
            add(p, absolute)
        else:
            out.missing.append(p)
    return out


def _explicit_excluded(path: str, is_dir: bool, policy_for) -> bool:
    """--force-exclude: whether an explicitly named path, or a directory above it up to its
    configuration's directory, is excluded or git-ignored -- what a walk from there would
    have skipped."""
    d = os.path.dirname(path)
    policy = policy_for(d)
    if policy.excluded(path, is_dir):
        return True
    chain = ignore_chain(d) if policy.respect_gitignore else []
    if chain and gitignored(chain, path, is_dir):
        return True
    stop = policy.root
    cur = d
    while stop is not None and relative_to(cur, stop) is not None:
        parent = os.path.dirname(cur)
        pol = policy_for(parent)
        if pol.excluded(cur, True):
            return True
        if pol.respect_gitignore:
            pchain = ignore_chain(parent)
            if pchain and gitignored(pchain, cur, True):
                return True
        cur = parent
    return False


def _walk(display_root: str, abs_root: str, policy_for, add, errors) -> None:
    """Depth first, in name order, each directory's files before its subdirectories."""
    # the ignore files that apply to the root's entries, but for the root's own .gitignore
    # (added when it is listed); None outside a git repository
    chain: Optional[List[PatternSet]] = None
    if os.path.exists(os.path.join(abs_root, ".git")):
        chain = [x for x in [_repo_exclude(abs_root)] if x is not None]
    elif git_root(abs_root) is not None:
        chain = ignore_chain(os.path.dirname(abs_root))
    visited = set()
    stack: List[Tuple[str, str, Optional[List[PatternSet]]]] = [(display_root, abs_root, chain)]
    while stack:
        display, absolute, inherited = stack.pop()
        try:
            st = os.stat(absolute)
            key = (st.st_dev, st.st_ino)
            if key in visited:
                continue  # the same directory reached twice (a bind mount)
            visited.add(key)
            with os.scandir(absolute) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            errors.append((display, exc.strerror or str(exc)))
            continue
        policy = policy_for(absolute)
        here = inherited
        if here is not None:
            own = _dir_ignore(absolute)
            if own is not None:
                here = here + [own]
        active = here if (here and policy.respect_gitignore) else None
        subdirs = []
        for entry in entries:
            name = entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:  # e.g. a link loop: treated as a file, reading it says what is wrong
                is_dir = False
            if not is_dir and not name.endswith(PYTHON_SUFFIXES):
                continue
            full_abs = os.path.join(absolute, name)
            if is_dir:
                if entry.is_symlink():
                    continue  # links to directories are not followed: no loops, no duplicates
                if policy.excluded(full_abs, True) or (active and gitignored(active, full_abs, True)):
                    continue
                sub = here
                if os.path.exists(os.path.join(full_abs, ".git")):  # a nested repository
                    sub = [x for x in [_repo_exclude(full_abs)] if x is not None]
                subdirs.append((os.path.join(display, name), full_abs, sub))
                continue
            if policy.excluded(full_abs, False) or (active and gitignored(active, full_abs, False)):
                continue
            if not _lintable(entry):
                continue
            add(os.path.join(display, name), full_abs)
        stack.extend(reversed(subdirs))


def _lintable(entry) -> bool:
    """A regular file, or a link that cannot be followed (reported as unreadable); not a
    named pipe, socket or device, which could block the run or never end."""
    try:
        st = entry.stat()
    except OSError:
        return True
    return stat.S_ISREG(st.st_mode)
