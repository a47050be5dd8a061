""" "About these figures": what the words and marks of the page mean, how vague words are read,
the assessment scale, when the data was last updated, the licence and how to cite.

Everything stated is read from the data (its vocabulary, version and citation), so the section
cannot drift from the figures it describes.
"""

from __future__ import annotations

import html

from ..charts.common import MARK_KEY
from ..ledger import Dataset
from ..publish import citation


def _number(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def updated_html(data: Dataset) -> str:
    """The "last updated" line under the title."""
    return f"<p class='kursk-updated'>{html.escape(citation.last_updated(data))}</p>"


def about_html(data: Dataset) -> str:
    """The section's HTML (the data package's download button follows it on the page)."""
    v = data.vocabulary
    e = html.escape
    marks = "".join(f"<li>{e(text)}</li>" for text in MARK_KEY.values())
    vague = "".join(
        f"<tr><th scope='row'>“{e(word)}”</th><td>{_number(r.low)} to {_number(r.high)}</td>"
        f"<td>{e(r.note or '')}</td></tr>"
        for word, r in v.vague.items()
    )
    tiers: dict[str, list[str]] = {}
    for words, tier in v.confidence.items():
        tiers.setdefault(tier, []).append(f"“{words}”")
    confidence = "; ".join(f"{e(tier)}: {e(', '.join(w))}" for tier, w in tiers.items())
    grades = "".join(
        f"<li><b>{e(g.label)}</b>: {e(g.definition)}</li>" for g in v.assessments.values()
    )
    licence = citation.LICENCE
    return f"""<section class='kursk-about' id='kursk-about' aria-labelledby='kursk-about-h'>
<h2 id='kursk-about-h'>About these figures</h2>
<p>{e(citation.last_updated(data))}.</p>
<h3>Words on this page</h3>
<dl>
<dt>Figure</dt><dd>One number as one source reports it, with a short quote from that source
as evidence. Numbers that disagree are all kept; none is corrected or averaged.</dd>
<dt>Claimant</dt><dd>Who asserts the number: a government, an intelligence service, an
official, analysts. The colour of a mark is its claimant's.</dd>
<dt>Source</dt><dd>Where the number was reported: an article, briefing, statement, report or
post, named by its outlet and date, linked where it has an address.</dd>
<dt>Claim</dt><dd>The same number from the same claimant, reported by one or more sources.
Reports that go back to one original (a wire story reposted, a relay) count as one
<i>independent</i> report: “reported by 2+ independent sources” keeps claims with two or more
independent reports.</dd>
<dt>As of</dt><dd>When the number holds. When the source gives no date, it is the source's
publication date, and the table says so.</dd>
<dt>As known on</dt><dd>The figures as they could be known on a past day: only the sources
published by then, and the revisions known then.</dd>
</dl>
<h3>Marks in the charts</h3>
<ul class='kursk-marks'>{marks}</ul>
<h3>How vague words are read</h3>
<p>A vague wording is drawn as a band over the range it is read as:</p>
<table class='kursk-vague'><thead><tr><th scope='col'>Wording</th><th scope='col'>Read as</th>
<th scope='col'>Note</th></tr></thead><tbody>{vague}</tbody></table>
<p>A claimant's own confidence wording is kept with its figure and sorted into tiers
({confidence}).</p>
<h3>Our assessment</h3>
<p>Apart from the claimant's wording, a figure may carry our own grade, with its reason, who
assessed it and when; a figure without one is shown as not assessed.</p>
<ul>{grades}</ul>
<h3>Licence and how to cite</h3>
<p>The curated data is licensed <a href='{e(licence["path"], quote=True)}'
rel='license noopener noreferrer' target='_blank'>{e(licence["title"])}</a>. Quotes remain
their authors' words. The figures are claims, not verified facts.</p>
<p>Cite the compilation as: <span class='kursk-cite'>{e(citation.how_to_cite(data))}</span>
Each figure's own citation is in the table's “Cite” column and in the CSV.</p>
</section>"""
