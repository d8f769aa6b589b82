"""The attribute allowlist: which attributes user code may read, by the type of the object.

Everything not listed here is refused. The lists are written out by hand on purpose: a new
pandas release that adds a method (say one that writes a file) must not become reachable
without a review. Rules behind the lists:

- no name starting with ``_`` (dunders reach ``__class__``/``__globals__``/frames);
- nothing that does I/O (``to_csv``, ``to_sql``, ``read_*``, ``info`` prints to stdout);
- nothing that runs code from strings (``eval``, ``query``, ``str.format``'s ``{0.attr}``);
- nothing that hands back modules, classes of arbitrary objects or raw buffers
  (``plot``, ``style``, ``attrs``, ``ndarray.base``/``ctypes``/``data``, ``view``);
- methods that take a callable (``apply``, ``map``, ``agg`` …) are in ``CALLBACK_METHODS``:
  the guard wraps them so their callables and function names are checked on every call.

>>> "to_csv" in DATAFRAME or "eval" in DATAFRAME or "query" in DATAFRAME
False
>>> is_denied_everywhere("to_pickle"), is_denied_everywhere("to_dict")
(True, False)
"""

from __future__ import annotations

__all__ = [
    "ALWAYS_DENIED",
    "CALLBACK_METHODS",
    "DATAFRAME",
    "GROUPBY",
    "GROUPBY_CALLBACK_METHODS",
    "INDEX",
    "MODULE_NAMES",
    "SAFE_FUNCTION_NAMES",
    "SERIES",
    "is_denied_everywhere",
]


# What ``import`` may name; each is bound to a read-only namespace (see modules.py).
MODULE_NAMES = ("math", "statistics", "datetime", "re", "json", "decimal", "pandas", "numpy")


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Refused on every object, checked at compile time too so the error comes at flow build time.
# ``format``/``format_map`` resolve ``{0.__class__}`` field names outside the guard.
ALWAYS_DENIED = _names(
    """
    format format_map mro eval query pipe style plot hist boxplot info attrs flags set_flags
    compat ctypes ctypeslib os sys builtins subprocess io lib testing util api core options
    tofile setfield getfield setflags
    gi_frame gi_code gi_yieldfrom cr_frame cr_code ag_frame ag_code f_back f_globals
    f_locals f_builtins f_code tb_frame tb_next
    """
)

# ``to_*`` is refused except these, which build objects in memory and take no path.
IN_MEMORY_TO = _names(
    """
    to_dict to_numpy to_list to_frame to_records to_series to_flat_index to_period
    to_timestamp to_pydatetime to_pytimedelta to_datetime64 to_timedelta64 to_julian_date
    to_datetime to_numeric to_timedelta
    """
)


def is_denied_everywhere(name: str) -> bool:
    """True for names refused on any object (I/O, code from strings, introspection)."""
    if name.startswith("_") or name in ALWAYS_DENIED or name.startswith("read_"):
        return True
    return name.startswith("to_") and name not in IN_MEMORY_TO


# -- pandas ----------------------------------------------------------------------------------

# Shared by DataFrame and Series: pure in-memory transformations.
_NDFRAME = _names(
    """
    T abs add add_prefix add_suffix agg aggregate align all any apply asfreq asof assign astype
    at at_time axes between_time bfill clip combine combine_first compare convert_dtypes copy
    corr count cov cummax cummin cumprod cumsum describe diff div divide dot drop
    drop_duplicates droplevel dropna dtypes duplicated empty eq equals ewm expanding explode
    ffill fillna filter first_valid_index floordiv ge get groupby gt head iat idxmax idxmin
    iloc index infer_objects interpolate isin isna isnull items keys kurt kurtosis
    last_valid_index le loc lt map mask max mean median memory_usage min mod mode mul multiply
    ndim ne nlargest notna notnull nsmallest nunique pct_change pop pow prod product quantile
    radd rank rdiv reindex reindex_like rename rename_axis reorder_levels replace resample
    reset_index rfloordiv rmod rmul rolling round rpow rsub rtruediv sample sem set_axis
    shape shift size skew sort_index sort_values squeeze std sub subtract sum swaplevel tail
    take to_dict to_numpy to_period to_timestamp transform transpose truediv truncate
    tz_convert tz_localize unstack update value_counts values var where xs
    """
)

DATAFRAME = _NDFRAME | _names(
    """
    applymap columns corrwith insert isetitem iterrows itertuples join melt merge pivot
    pivot_table select select_dtypes set_index stack to_records
    """
)

SERIES = _NDFRAME | _names(
    """
    argmax argmin argsort autocorr between case_when cat divmod dt dtype factorize hasnans
    is_monotonic_decreasing is_monotonic_increasing is_unique item name nbytes rdivmod repeat
    searchsorted str to_frame to_list tolist unique
    """
)

INDEX = _names(
    """
    T all any append argmax argmin argsort asof astype copy delete diff difference drop
    drop_duplicates droplevel dropna dtype duplicated empty equals factorize fillna
    get_indexer get_level_values get_loc has_duplicates hasnans identical infer_objects insert
    intersection is_monotonic_decreasing is_monotonic_increasing is_unique isin isna isnull
    item join map max min name names nbytes ndim nlevels notna notnull nunique ravel reindex
    rename repeat round searchsorted set_names shape shift size sort_values start step stop
    str dt symmetric_difference take to_flat_index to_frame to_list to_numpy to_series
    tolist transpose union unique value_counts values where levels codes
    year month day hour minute second microsecond nanosecond date time dayofweek day_of_week
    weekday dayofyear day_of_year quarter days_in_month is_month_start is_month_end
    is_quarter_start is_quarter_end is_year_start is_year_end is_leap_year day_name
    month_name strftime floor ceil normalize tz tz_convert tz_localize to_period
    to_pydatetime days seconds total_seconds components freq freqstr inferred_freq unit
    """
)

GROUPBY = _names(
    """
    agg aggregate all any apply bfill corr corrwith count cov cumcount cummax cummin cumprod
    cumsum describe diff ewm expanding ffill filter first get_group groups head idxmax idxmin
    indices kurt last max mean median min ndim ngroup ngroups nlargest nsmallest nth nunique
    ohlc pct_change prod quantile rank resample rolling sample sem shift size skew std sum
    tail take transform unique value_counts var dtype is_monotonic_increasing
    is_monotonic_decreasing
    """
)

WINDOW = _names(
    """
    agg aggregate apply corr count cov first kurt last max mean median min nunique quantile
    rank sem skew std sum var center closed min_periods window win_type method step on
    adjust alpha com halflife ignore_na span
    asfreq nearest interpolate ffill bfill ohlc size prod
    """
)

STRING_ACCESSOR = _names(
    """
    capitalize casefold cat center contains count decode encode endswith extract extractall
    find findall fullmatch get get_dummies index isalnum isalpha isascii isdecimal isdigit
    islower isnumeric isspace istitle isupper join len ljust lower lstrip match normalize pad
    partition removeprefix removesuffix repeat replace rfind rindex rjust rpartition rsplit
    rstrip slice slice_replace split startswith strip swapcase title translate upper wrap
    zfill
    """
)

DATETIME_ACCESSOR = _names(
    """
    as_unit ceil date day day_name day_of_week day_of_year dayofweek dayofyear days_in_month
    daysinmonth floor freq hour is_leap_year is_month_end is_month_start is_quarter_end
    is_quarter_start is_year_end is_year_start isocalendar microsecond minute month
    month_name nanosecond normalize quarter round second strftime time timetz to_period
    to_pydatetime tz tz_convert tz_localize unit weekday year
    components days microseconds nanoseconds seconds to_pytimedelta total_seconds
    start_time end_time
    """
)

CATEGORICAL_ACCESSOR = _names(
    """
    add_categories as_ordered as_unordered categories codes ordered remove_categories
    remove_unused_categories rename_categories reorder_categories set_categories
    """
)

TIMESTAMP = _names(
    """
    as_unit astimezone ceil ctime date day day_name day_of_week day_of_year dayofweek
    dayofyear days_in_month daysinmonth dst floor fold hour is_leap_year is_month_end
    is_month_start is_quarter_end is_quarter_start is_year_end is_year_start isocalendar
    isoformat isoweekday microsecond minute month month_name nanosecond normalize quarter
    replace round second strftime time timestamp timetz to_datetime64 to_julian_date
    to_numpy to_period to_pydatetime toordinal tz tz_convert tz_localize tzinfo tzname unit
    utcoffset value week weekday weekofyear year
    """
)

TIMEDELTA = _names(
    """
    as_unit ceil components days floor isoformat microseconds nanoseconds resolution_string
    round seconds to_numpy to_pytimedelta to_timedelta64 total_seconds unit value
    """
)

DTYPE = _names("name kind itemsize categories ordered tz unit storage na_value")

# -- numpy -----------------------------------------------------------------------------------

NDARRAY = _names(
    """
    T all any argmax argmin argsort astype clip conj conjugate copy cumprod cumsum diagonal
    dot dtype flatten imag item max mean min nbytes ndim nonzero prod ravel real repeat
    reshape round searchsorted shape size sort squeeze std sum take tolist trace transpose
    var
    """
)

NUMPY_SCALAR = _names("item tolist real imag astype round dtype is_integer")

# -- Python built-in types -------------------------------------------------------------------

STR = _names(
    """
    capitalize casefold center count encode endswith expandtabs find index isalnum isalpha
    isascii isdecimal isdigit isidentifier islower isnumeric isprintable isspace istitle
    isupper join ljust lower lstrip maketrans partition removeprefix removesuffix replace
    rfind rindex rjust rpartition rsplit rstrip split splitlines startswith strip swapcase
    title translate upper zfill
    """
)
BYTES = _names(
    """
    count decode endswith find hex index isalnum isalpha isascii isdigit islower isspace
    isupper join lower lstrip replace rfind rstrip split startswith strip upper
    """
)
LIST = _names("append clear copy count extend index insert pop remove reverse sort")
DICT = _names("clear copy get items keys pop popitem setdefault update values")
TUPLE = _names("count index")
SET = _names(
    """
    add clear copy difference difference_update discard intersection intersection_update
    isdisjoint issubset issuperset pop remove symmetric_difference
    symmetric_difference_update union update
    """
)
FROZENSET = _names(
    "copy difference intersection isdisjoint issubset issuperset symmetric_difference union"
)
INT = _names(
    "as_integer_ratio bit_count bit_length conjugate denominator imag numerator real to_bytes"
)
FLOAT = _names("as_integer_ratio conjugate hex imag is_integer real")
COMPLEX = _names("conjugate imag real")
RANGE = _names("count index start step stop")
SLICE = _names("indices start step stop")
DICT_VIEW = _names("isdisjoint")
EXCEPTION = _names("args")

DATE = _names(
    """
    ctime day isocalendar isoformat isoweekday month replace strftime timetuple toordinal
    weekday year
    """
)
DATETIME = DATE | _names(
    """
    astimezone date dst fold hour microsecond minute second time timestamp timetz tzinfo
    tzname utcoffset
    """
)
TIME = _names(
    "dst fold hour isoformat microsecond minute replace second strftime tzinfo tzname utcoffset"
)
TIMEDELTA_PY = _names("days microseconds seconds total_seconds")
DECIMAL = _names(
    """
    adjusted as_integer_ratio as_tuple compare conjugate copy_abs copy_negate copy_sign exp
    fma imag is_finite is_infinite is_nan is_normal is_qnan is_signed is_snan is_zero ln
    log10 logb max min normalize quantize real remainder_near same_quantum scaleb sqrt
    to_eng_string to_integral to_integral_exact to_integral_value
    """
)
MATCH = _names(
    "end endpos expand group groupdict groups lastgroup lastindex pos re regs span start string"
)
PATTERN = _names(
    "findall finditer flags fullmatch groupindex groups match pattern search split sub subn"
)

# Attributes of class objects themselves (``datetime.datetime.now``, ``str.upper``).
DATETIME_CLASS = _names(
    """
    now today utcnow fromtimestamp utcfromtimestamp fromisoformat fromisocalendar
    fromordinal strptime combine min max resolution
    """
)
DATE_CLASS = _names(
    "today fromtimestamp fromisoformat fromisocalendar fromordinal min max resolution"
)
TIME_CLASS = _names("fromisoformat min max resolution")
TIMEDELTA_CLASS = _names("min max resolution")
TIMEZONE_CLASS = _names("utc min max")
TIMESTAMP_CLASS = _names("now today utcnow fromisoformat fromtimestamp strptime combine min max")
DATAFRAME_CLASS = _names("from_records from_dict")

# Methods whose arguments are checked on each call (see policy.checked_callback); on GroupBy
# ``filter`` takes a function too (on DataFrame it takes column names).
CALLBACK_METHODS = _names("apply applymap map agg aggregate transform combine pivot_table")
GROUPBY_CALLBACK_METHODS = CALLBACK_METHODS | {"filter"}

# Function names pandas resolves with getattr when given a string (``df.agg("sum")``):
# only these may be passed, so ``df.agg("to_pickle", path)`` cannot reach a writer.
SAFE_FUNCTION_NAMES = _names(
    """
    sum mean median min max count size std var sem prod product first last nunique any all
    idxmin idxmax cumsum cumprod cummin cummax cumcount rank shift diff pct_change ffill bfill
    skew kurt kurtosis quantile abs round unique mode head tail describe value_counts ngroup
    nlargest nsmallest nth ohlc
    """
)
