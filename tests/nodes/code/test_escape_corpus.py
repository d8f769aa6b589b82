"""Escape attempts against the code nodes: every one is refused, and none creates its marker.

Each attempt would create the marker file ``{m}`` if it got out. They run twice:

- through ``RunPythonScript`` in the worker pool, the way a flow runs them (the marker lives in
  a world-writable directory, so the worker's ``nobody`` user could have created it there);
- through the language wall alone (compiler + guards, in this test process, with no process
  wall behind them), so a guard that failed would show up as a marker in ``tmp_path`` rather
  than being masked by the worker's file and user limits.

Sources: the proofs of concept of CVE-2025-3248 (Langflow), CVE-2023-37271, CVE-2023-41039,
CVE-2024-47532, CVE-2025-22153 (RestrictedPython), the n8n sandbox escape, and the pandas/numpy
module chains (``pd.compat.os``) that reach ``os`` without an underscore.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from flows.errors import ConfigError, NodeError
from nodes.code.run_python_script import RunPythonScript
from nodes.code.sandbox import execute
from nodes.code.sandbox.compiler import CodeError, compile_script

pytestmark = pytest.mark.asyncio(loop_scope="module")

TOUCH = "__import__('os').system('touch {m}')"

ATTEMPTS: dict[str, str] = {
    # -- published proofs of concept, adapted ------------------------------------------------
    "langflow_decorator_exec": (
        "@exec(\"import os; os.system('touch {m}')\")\ndef f():\n    pass\nresult = df"
    ),
    "langflow_default_argument": f"def f(x={TOUCH}):\n    pass\nresult = df",
    "rp_2023_37271_generator_frame": (
        "def g():\n    yield 1\ngen = g()\nframe = gen.gi_frame.f_back\n"
        "result = frame.f_globals['__builtins__']['__import__']('os').system('touch {m}')"
    ),
    "rp_2023_37271_computed_gi_frame": (
        "def g():\n    yield 1\ngen = g()\nframe = getattr(gen, 'gi_' + 'frame')\nresult = df"
    ),
    "rp_2023_41039_str_format": "result = '{{0.__class__.__base__.__subclasses__}}'.format(df)",
    "rp_2023_41039_format_by_getattr": (
        "fmt = getattr('{{0.__class__}}', 'for' + 'mat')\nresult = fmt(df)"
    ),
    "format_map": "result = '{{x.__class__}}'.format_map({{'x': df}})",
    "rp_2024_47532_attributeerror_obj": (
        "import math\ntry:\n    math.nothing\n"
        "except AttributeError as e:\n    m = e.obj\nresult = df"
    ),
    "importerror_attributes": (
        "try:\n    from math import nothing\nexcept ImportError as e:\n    n = e.name\nresult = df"
    ),
    "rp_2025_22153_except_star": (
        "try:\n    raise ExceptionGroup('x', [ValueError()])\nexcept* ValueError as eg:\n"
        "    pass\nresult = df"
    ),
    # -- frames and tracebacks -----------------------------------------------------------------
    "traceback_frame_walk": (
        "try:\n    1 / 0\n"
        "except Exception as e:\n    f = e.__traceback__.tb_frame.f_back\nresult = df"
    ),
    "traceback_by_getattr": (
        "try:\n    1 / 0\n"
        "except Exception as e:\n    tb = getattr(e, '__trace' + 'back__')\nresult = df"
    ),
    "with_traceback": (
        "try:\n    1 / 0\nexcept Exception as e:\n    e.with_traceback(None)\nresult = df"
    ),
    "generator_expression_frame": "g = (x for x in [1])\nresult = g.gi_frame.f_globals",
    "function_globals": "f = lambda: 0\nresult = f.__globals__['__builtins__']",
    "function_code": "def f():\n    pass\nresult = getattr(f, '__co' + 'de__')",
    "async_coroutine": "async def f():\n    pass\nresult = f().cr_frame",
    # -- type walks ------------------------------------------------------------------------------
    "subclasses_by_class": "result = ().__class__.__bases__[0].__subclasses__()",
    "subclasses_by_getattr": "t = getattr((), '__cl' + 'ass__')\nresult = t",
    "mro": "result = str.mro()",
    "type_builtin": "result = type('X', (), {{}})",
    "object_builtin": "result = object.__subclasses__()",
    "class_statement": "class X:\n    pass\nresult = df",
    "unicode_dunder": "result = getattr(df, '\\uff3f\\uff3fclass\\uff3f\\uff3f')",
    # -- import tricks ---------------------------------------------------------------------------
    "import_os": "import os\nos.system('touch {m}')\nresult = df",
    "from_os_import": "from os import system\nsystem('touch {m}')\nresult = df",
    "dunder_import": f"{TOUCH}\nresult = df",
    "importlib": "import importlib\nimportlib.import_module('os').system('touch {m}')\nresult = df",
    "builtins_module": "import builtins\nresult = builtins.open('{m}', 'w')",
    "dunder_builtins": "result = __builtins__['__import__']('os')",
    "globals_builtins": "result = globals()['__builtins__']",
    "sys_modules": "import sys\nresult = sys.modules['os'].system('touch {m}')",
    "relative_import": "from . import worker\nresult = df",
    "from_pandas_import_compat": "from pandas import compat\nresult = compat.os",
    "from_numpy_import_lib": "from numpy import lib\nresult = lib.format.os",
    "subprocess": "import subprocess\nsubprocess.run(['touch', '{m}'])\nresult = df",
    "exec_builtin": "exec(\"open('{m}', 'w')\")\nresult = df",
    "eval_builtin": "result = eval(\"open('{m}', 'w')\")",
    "compile_builtin": "c = compile('1', 'x', 'eval')\nresult = df",
    "open_builtin": "open('{m}', 'w')\nresult = df",
    "vars_dir": "result = vars(df)",
    # -- pandas / numpy module chains ------------------------------------------------------------
    "pd_compat_os": "pd.compat.os.system('touch {m}')\nresult = df",
    "pd_compat_by_getattr": "c = getattr(pd, 'com' + 'pat')\nc.os.system('touch {m}')\nresult = df",
    "pd_io_common": "result = pd.io.common.os",
    "pd_options": "result = pd.options",
    "pd_read_csv": "result = pd.read_csv('/etc/passwd')",
    "pd_read_by_getattr": "r = getattr(pd, 'read_' + 'csv')\nresult = r('/etc/passwd')",
    "np_ctypeslib": "result = np.ctypeslib",
    "np_ctypeslib_by_getattr": "result = getattr(np, 'ctypes' + 'lib')",
    "np_save": "np.save('{m}', np.zeros(1))\nresult = df",
    "np_lib": "result = np.lib.format.os",
    "ndarray_tofile": "df.to_numpy().tofile('{m}')\nresult = df",
    "ndarray_tofile_by_getattr": "f = getattr(df.to_numpy(), 'to' + 'file')\nf('{m}')\nresult = df",
    "ndarray_ctypes": "result = getattr(df.to_numpy(), 'ctyp' + 'es')",
    "df_to_csv": "df.to_csv('{m}')\nresult = df",
    "df_to_csv_by_getattr": "w = getattr(df, 'to_' + 'csv')\nw('{m}')\nresult = df",
    "df_to_string_buffer": "w = getattr(df, 'to_' + 'string')\nw('{m}')\nresult = df",
    "class_to_csv": "w = getattr(pd.DataFrame, 'to_' + 'csv')\nw(df, '{m}')\nresult = df",
    "df_eval": "result = df.eval('a + 1')",
    "df_query": "result = df.query('a > 0')",
    "df_eval_by_getattr": "e = getattr(df, 'ev' + 'al')\nresult = e('a + 1')",
    "df_pipe_system": "import os\nresult = df.pipe(os.system)",
    "df_pipe_by_getattr": "p = getattr(df, 'pi' + 'pe')\nresult = p(print)",
    "series_apply_open": "result = df['a'].apply(open, args=('w',))",
    "series_apply_method_name": "result = df['a'].apply('to_' + 'csv', path_or_buf='{m}')",
    "df_agg_method_name": "result = df.agg('to_' + 'pickle', '{m}')",
    "df_transform_method_name": "result = df.transform('to_' + 'csv', '{m}')",
    "named_agg_method_name": "result = df.groupby('b').agg(x=('a', 'to_' + 'csv'))",
    "agg_dict_method_name": "result = df.agg({{'a': 'to_' + 'csv'}})",
    "pivot_aggfunc_method_name": (
        "result = df.pivot_table(index='b', values='a', aggfunc='to_' + 'csv')"
    ),
    "pd_pivot_aggfunc": "result = pd.pivot_table(df, index='b', values='a', aggfunc='to_' + 'csv')",
    "rolling_apply_engine": "result = df['a'].rolling(2).apply(lambda x: 1, engine='numba')",
    "apply_getattr_builtin": "result = df['a'].apply(getattr, args=('__cl' + 'ass__',))",
    "map_getattr_builtin": "result = list(map(getattr, [df], ['to_' + 'csv']))",
    "groupby_apply_writer": (
        "result = df.groupby('b').apply(lambda g: getattr(g, 'to_' + 'csv')('{m}'))"
    ),
    "assign_callable_writer": "result = df.assign(x=lambda d: getattr(d, 'to_' + 'pickle')('{m}'))",
    "df_style_plot": "result = getattr(df, 'sty' + 'le')",
    "df_attrs": "result = df.attrs",
    # -- decorators, writes, printing ------------------------------------------------------------
    "decorator_pipe": "@df.pipe\ndef f(d):\n    return d\nresult = df",
    "decorator_getattr_writer": "@getattr(df, 'to_' + 'pickle')\ndef f():\n    pass\nresult = df",
    "overwrite_module_member": "pd.concat = print\nresult = df",
    "overwrite_class_attribute": "w = pd.DataFrame\nw.to_dict = print\nresult = df",
    "setattr_builtin": "setattr(df, 'x', 1)\nresult = df",
    "print_to_file": "print('x', file=df)\nresult = df",
    "swallowed_refusal": (
        "try:\n    getattr(df, 'to_' + 'csv')('{m}')\nexcept BaseException:\n    pass\nresult = df"
    ),
}

MARKER = "pwned"


def is_refusal(message: str) -> bool:
    return message.removeprefix("code: ").startswith("guard: ")


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A world-writable directory: the worker's user could write here if the guards failed."""
    path = Path(tempfile.mkdtemp(prefix="maxdp-escape-"))
    path.chmod(stat.S_IRWXU | stat.S_IRWXG | stat.S_IRWXO)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def frame() -> pd.DataFrame:
    return pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "x"]})


async def test_corpus_is_large_enough():
    assert len(ATTEMPTS) >= 40


@pytest.mark.parametrize("name", list(ATTEMPTS))
async def test_attempt_is_refused_in_the_worker(name, run_node, open_dir, tmp_path):
    code = ATTEMPTS[name].format(m=open_dir / MARKER)
    try:
        node = RunPythonScript("escape", {"code": code})
    except ConfigError as exc:  # refused when the flow is built, before any worker is used
        message = exc.message
    else:
        with pytest.raises(NodeError) as info:
            await run_node(node, {"in": {"src": frame()}})
        message = info.value.message
    assert is_refusal(message), message
    assert list(open_dir.iterdir()) == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", list(ATTEMPTS))
async def test_language_wall_alone_refuses(name, tmp_path):
    code = ATTEMPTS[name].format(m=tmp_path / MARKER)
    try:
        compile_script(code)
    except CodeError as exc:
        message = exc.message
    else:
        with pytest.raises(execute.RunError) as info:
            execute.run({"kind": "script", "code": code, "names": ["src"]}, [frame()])
        message = info.value.message
    assert is_refusal(message), message
    assert list(tmp_path.iterdir()) == []
