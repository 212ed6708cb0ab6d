"""Apache LogFormat strings, translated to nginx log_format strings and read by the nginx compiler."""

from __future__ import annotations

import pytest

from statuslens.transforms.readers.apache import apache_to_nginx, is_apache_format
from statuslens.transforms.readers.formats import line_parser, validate_log_format
from statuslens.transforms.readers.nginx import NAMED_FORMATS, compile_log_format

APACHE_COMMON = '%h %l %u %t "%r" %>s %b'
APACHE_COMBINED = APACHE_COMMON + ' "%{Referer}i" "%{User-agent}i"'
LINE = b'127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326'


def test_common_and_combined_are_nginxs_own_formats() -> None:
    """Apache's documented common and combined formats mean exactly nginx's (variables renamed)."""
    assert apache_to_nginx(APACHE_COMMON) == (
        '${remote_addr} ${remote_ident} ${remote_user} [${time_local}] "${request}" ${status} ${body_bytes_sent}'
    )
    assert apache_to_nginx(APACHE_COMBINED).endswith(' "${http_referer}" "${http_user_agent}"')
    nginx = compile_log_format(NAMED_FORMATS["common"])
    apache = compile_log_format(APACHE_COMMON)
    assert apache.parse(LINE) == nginx.parse(LINE)
    assert apache.name == APACHE_COMMON


def test_a_line_is_read_with_the_apache_format() -> None:
    raw = compile_log_format(APACHE_COMBINED).parse(LINE + b' "http://example.com/start.html" "Mozilla/4.08"')
    assert (raw.method, raw.url, raw.http_status, raw.time_ms) == ("GET", "/apache_pb.gif", 200, 971211336000)


def test_modifiers_are_dropped_and_response_headers_are_read() -> None:
    spec = '%a %!200l %400,501u %t "%m %U%q %H" %<s %D "%{X-Mashery-Error-Code}o" %%'
    assert apache_to_nginx(spec) == (
        "${remote_addr} ${remote_ident} ${remote_user} [${time_local}] "
        '"${request_method} ${request_uri} ${server_protocol}" ${status} ${request_time_us} '
        '"${sent_http_x_mashery_error_code}" %'
    )
    line = (
        b'1.2.3.4 - - [10/Dec/2009:21:40:14 +0000] "GET /catalog/people/9?x=1 HTTP/1.1" 403 12 '
        b'"ERR_403_DEVELOPER_OVER_QPS" %'
    )
    raw = line_parser(spec)(line)
    assert (raw.method, raw.url, raw.http_status) == ("GET", "/catalog/people/9?x=1", 403)
    assert raw.headers == {"x-mashery-error-code": "ERR_403_DEVELOPER_OVER_QPS"}


def test_epoch_times_are_read() -> None:
    raw = compile_log_format('%h %{sec}t "%r" %>s').parse(b'1.2.3.4 1260481214 "GET /x HTTP/1.1" 404')
    assert raw.time_ms == 1260481214000


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ('%h [%{%d/%b/%Y %T}t] "%r" %>s', "a custom time format cannot be read"),
        ('%h %t "%r" %>s %J', "Apache directive '%J' is not known"),
        ('%h %t "%r" %b', "has no $status"),
    ],
)
def test_unusable_apache_formats_say_why(spec: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem.replace("$", r"\$")):
        validate_log_format(spec)


def test_only_percent_directives_make_an_apache_format() -> None:
    assert is_apache_format(APACHE_COMMON)
    assert not is_apache_format('$remote_addr [$time_local] "$request" $status')
    assert not is_apache_format("combined")
    assert validate_log_format(APACHE_COMBINED) == APACHE_COMBINED
