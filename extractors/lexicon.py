"""Indonesian word lists shared by the extractors, each defined once: office titles and speech verbs."""

from __future__ import annotations

import re

# Office titles, as a regex alternation (VERBOSE): full forms and the abbreviations the press uses.
TITLE_WORDS = r"""
    Presiden|Gubernur|Bupati|Wali\s?[Kk]ota|Walkot|Perdana\ Menteri|Menteri(?:\s+Koordinator)?|Menko|Wamen
   |Direktur(?:\s+Utama|\s+Jenderal|\s+Eksekutif)?|Dirut|Dirjen|Kepala|Ketua(?:\s+Umum)?|Kadis|Kabid|Kaban
   |Sekretaris(?:\s+Daerah|\s+Jenderal|\s+Kabinet)?|Sekda|Sekjen|Deputi|Asisten|Anggota|Komisaris(?:\s+Utama)?
   |Kapolda|Kapolres(?:ta)?|Kapolsek|Kapolri|Wakapolri|Wakapolda|Panglima|Pangdam|Danrem|Dandim|Kajati|Kajari
   |Jaksa\ Agung|Camat|Lurah|Rektor|Dekan|Juru\ Bicara|Jubir|Kasatpol\ PP|Kabag\w*|Kasubag\w*|Kasat\w*
   |Kasubdit\w*|Wadir\w*|Dirres\w+|Kabareskrim|Kadiv\w*|Karo\w+|Kapuspen\w*
"""
# Words that make a title acting or deputy: `Pj Bupati`, `Plt Kepala Dinas`, `Wakil Gubernur`.
TITLE_PREFIX = r"(?:(?:Pj\.?|Plt\.?|Plh\.?|Penjabat|Pelaksana\ Tugas|Pejabat\ Sementara)\s+)?(?:Wakil\s+)?"


def _first_words(alternation: str) -> frozenset[str]:
    """The first word of each top-level alternative, lower case."""
    alternatives, depth, current = [], 0, ""
    for ch in alternation:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "|" and depth == 0:
            alternatives.append(current)
            current = ""
        else:
            current += ch
    alternatives.append(current)
    return frozenset(m.group(0).lower() for alt in alternatives if (m := re.match(r"[A-Za-z]+", alt.strip())))


# The first word of every title (for a dependency parse's head words), and the glued `walikota`.
TITLE_HEADS = _first_words(TITLE_WORDS) | {"walikota", "wakil"}

# Attribution after a quote or a statement: `kata Ridwan Kamil`, `ujarnya`.
SPEECH_VERBS = r"(?:kata|ujar|ucap|ungkap|jelas|tegas|tutur|imbuh|sebut|terang|papar|tambah|lanjut|pungkas|tandas)"
# Reporting verbs after the speaker: `Anggoro mengatakan, “…`.
REPORTING_VERBS = (r"(?:mengatakan|menyebutkan|mengungkapkan|menjelaskan|menegaskan|menuturkan|berkata|menyampaikan"
                   r"|bilang|menambahkan)")
