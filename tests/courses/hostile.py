"""Markdown written to run script, shared by the renderer tests and the browser test."""

HOSTILE_LESSON_BODY = """\
## 小节

<script>alert(1); window.__pwned = 1</script>

<img src=x onerror="alert(2); window.__pwned = 2">

<a href="javascript:window.__pwned=3" onclick="window.__pwned=3">html link</a>

段落里的 <span onmouseover="window.__pwned=4">内联 HTML</span> 与 <svg onload="window.__pwned=5"></svg>

[inline](javascript:alert(6))
[mixed case](JaVaScRiPt:alert(7))
[vbscript](vbscript:msgbox(8))
[data html](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD05PC9zY3JpcHQ+)
[entity](&#106;avascript:window.__pwned=10)
[hex entity](&#x6A;&#x61;vascript:window.__pwned=11)
[named entity](javascript&colon;window.__pwned=12)
[tab](<java\tscript:window.__pwned=13>)
[percent](java%0Ascript:window.__pwned=14)
[leading space](< javascript:window.__pwned=15>)
[control](<\x01javascript:window.__pwned=16>)
[reference][evil]
[collapsed][]
<javascript:alert(17)>
<JAVASCRIPT:window.__pwned=18>
<vbscript:msgbox(19)>
<data:text/html,<script>window.__pwned=20</script>>
[![nested](javascript:window.__pwned=21)](javascript:window.__pwned=22)
[title"onclick="x](https://example.com "a\\" onmouseover=\\"window.__pwned=23")

![img](javascript:window.__pwned=24)
![img data](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIi8+)
![img png data](data:image/png;base64,iVBORw0KGgo=)
![img ref][evil]
![svg file](images/logo.svg)

[evil]: javascript:window.__pwned=25
[collapsed]: VBSCRIPT:msgbox(26)

```html" onmouseover="window.__pwned=27
<script>window.__pwned=28</script>
```

::: 案例 <img src=x onerror="window.__pwned=29">
callout <script>window.__pwned=30</script>
:::

::: <script>window.__pwned=31</script>
:::
"""

DANGEROUS_SCHEMES = ("javascript", "vbscript", "data")
