"""Hostile page sources: each must render with no script, handler, style or unsafe URL.

Shared by the markup unit tests and the browser tests, which load the same payloads in a real
page and check that nothing runs.
"""

XSS_PAYLOADS: tuple[str, ...] = (
    # Raw HTML typed into the page.
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<!--<img src=x onerror=alert(1)>-->",
    # Markdown links and images.
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "[x](<javascript:alert(1)>)",
    "[x]( \x01javascript:alert(1))",
    "[x](jav%61script:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '[x](https://example.org "title\\" onmouseover=\\"alert(1))',
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x" onerror="alert(1)](https://example.org/a.png)',
    '![x](https://example.org/a.png "t\\" onerror=\\"alert(1))',
    "![<img src=x onerror=alert(1)>](https://example.org/a.png)",
    # Wiki links.
    "[[javascript:alert(1)]]",
    "[[x|javascript:alert(1)]]",
    '[["><script>alert(1)</script>]]',
    '[[Page|"><img src=x onerror=alert(1)>]]',
    "[[Page|<svg onload=alert(1)>]]",
    # Headings and tables (ids and alignment are generated from user text).
    '# "><script>alert(1)</script>',
    "# x onmouseover=alert(1)",
    "| a |\n|:-:|\n| <img src=x onerror=alert(1)> |",
    "`<script>alert(1)</script>`",
    "```\n</code></pre><script>alert(1)</script>\n```",
)
