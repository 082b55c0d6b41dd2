"""Indonesian word lists shared by the extractors, each defined once: office titles and speech verbs."""

from __future__ import annotations

import re

# Ministers by their press abbreviation: `Mentan Amran`, `Mendagri Tito Karnavian` (expanded in the office).
MINISTER_ABBREVIATIONS = {
    "Mendagri": "Dalam Negeri", "Menkeu": "Keuangan", "Menlu": "Luar Negeri", "Menhan": "Pertahanan",
    "Mentan": "Pertanian", "Mendag": "Perdagangan", "Menkes": "Kesehatan", "Mensos": "Sosial",
    "Menaker": "Ketenagakerjaan", "Menag": "Agama", "Menpora": "Pemuda dan Olahraga", "Menhub": "Perhubungan",
    "Menperin": "Perindustrian", "Mensesneg": "Sekretaris Negara", "Menkum": "Hukum", "Menkominfo":
    "Komunikasi dan Informatika", "Menkomdigi": "Komunikasi dan Digital", "Menpar": "Pariwisata",
    "Menparekraf": "Pariwisata dan Ekonomi Kreatif", "MenPANRB": "Pendayagunaan Aparatur Negara dan Reformasi Birokrasi",
    "Menpan": "Pendayagunaan Aparatur Negara dan Reformasi Birokrasi", "Mendikdasmen": "Pendidikan Dasar dan Menengah",
    "Mendiktisaintek": "Pendidikan Tinggi, Sains, dan Teknologi", "Mendikbud": "Pendidikan dan Kebudayaan",
    "Mendikbudristek": "Pendidikan, Kebudayaan, Riset, dan Teknologi", "Menkop": "Koperasi",
    "Mendes": "Desa dan Pembangunan Daerah Tertinggal", "Menhut": "Kehutanan", "Menkumham":
    "Hukum dan Hak Asasi Manusia", "Menpupr": "Pekerjaan Umum dan Perumahan Rakyat", "Menbud": "Kebudayaan",
    "Menekraf": "Ekonomi Kreatif", "Menimipas": "Imigrasi dan Pemasyarakatan", "Menham": "Hak Asasi Manusia",
}
# Abbreviated titles and institutions in an office, expanded as ANNOTATION.md asks (Kapolres Garut → Kepala
# Kepolisian Resor Garut). Word → expansion; applied word by word, longest first.
OFFICE_EXPANSIONS = {
    "Kapolda": "Kepala Kepolisian Daerah", "Wakapolda": "Wakil Kepala Kepolisian Daerah",
    "Kapolresta": "Kepala Kepolisian Resor Kota", "Kapolres": "Kepala Kepolisian Resor",
    "Kapolsek": "Kepala Kepolisian Sektor", "Kapolri": "Kepala Kepolisian Negara Republik Indonesia",
    "Wakapolri": "Wakil Kepala Kepolisian Negara Republik Indonesia", "Kasat Reskrim": "Kepala Satuan Reserse Kriminal",
    "Kasatreskrim": "Kepala Satuan Reserse Kriminal", "Kasat Narkoba": "Kepala Satuan Reserse Narkoba",
    "Kasat Lantas": "Kepala Satuan Lalu Lintas", "Kasatlantas": "Kepala Satuan Lalu Lintas",
    "Kasatpol PP": "Kepala Satuan Polisi Pamong Praja", "Kadis": "Kepala Dinas", "Kabid": "Kepala Bidang",
    "Kaban": "Kepala Badan", "Kabag": "Kepala Bagian", "Kasubag": "Kepala Subbagian", "Kasubdit":
    "Kepala Subdirektorat", "Kadiv": "Kepala Divisi", "Kapuspenkum": "Kepala Pusat Penerangan Hukum",
    "Kapuspen": "Kepala Pusat Penerangan", "Sekda": "Sekretaris Daerah", "Pj": "Penjabat", "Pj.": "Penjabat",
    "Plt": "Pelaksana Tugas", "Plt.": "Pelaksana Tugas", "Plh": "Pelaksana Harian", "Plh.": "Pelaksana Harian",
    "Kajati": "Kepala Kejaksaan Tinggi", "Kajari": "Kepala Kejaksaan Negeri", "Dirut": "Direktur Utama",
    "Dirjen": "Direktur Jenderal", "Sekjen": "Sekretaris Jenderal", "Jubir": "Juru Bicara",
    "Menko": "Menteri Koordinator Bidang", "Wamen": "Wakil Menteri", "Pangdam": "Panglima Komando Daerah Militer",
    "Danrem": "Komandan Komando Resor Militer", "Dandim": "Komandan Komando Distrik Militer", "Walkot": "Wali Kota",
    "Walikota": "Wali Kota", "Wabup": "Wakil Bupati", "Wagub": "Wakil Gubernur", "Wawali": "Wakil Wali Kota",
    "Dinkes": "Dinas Kesehatan", "Disdik": "Dinas Pendidikan", "Dishub": "Dinas Perhubungan",
    "DLH": "Dinas Lingkungan Hidup", "RSUD": "Rumah Sakit Umum Daerah", "Satpol PP": "Satuan Polisi Pamong Praja",
    "Polda": "Kepolisian Daerah", "Polres": "Kepolisian Resor", "Polresta": "Kepolisian Resor Kota",
    "Polsek": "Kepolisian Sektor", "Kejati": "Kejaksaan Tinggi", "Kejari": "Kejaksaan Negeri",
    "TNI": "Tentara Nasional Indonesia", "Mabes": "Markas Besar", "Bappeda": "Badan Perencanaan Pembangunan Daerah",
    **{abbr: f"Menteri {field}" for abbr, field in MINISTER_ABBREVIATIONS.items()},
}

# Office titles, as a regex alternation (VERBOSE): full forms and the abbreviations the press uses.
TITLE_WORDS = r"""
    Presiden|Gubernur|Bupati|Wali\s?[Kk]ota|Walkot|Perdana\ Menteri|Menteri(?:\s+Koordinator)?|Menko|Wamen
   |Direktur(?:\s+Utama|\s+Jenderal|\s+Eksekutif)?|Dirut|Dirjen|Kepala|Ketua(?:\s+Umum)?|Kadis|Kabid|Kaban
   |Sekretaris(?:\s+Daerah|\s+Jenderal|\s+Kabinet)?|Sekda|Sekjen|Deputi|Asisten|Anggota|Komisaris(?:\s+Utama)?
   |Kapolda|Kapolres(?:ta)?|Kapolsek|Kapolri|Wakapolri|Wakapolda|Panglima|Pangdam|Danrem|Dandim|Kajati|Kajari
   |Jaksa\ Agung|Camat|Lurah|Rektor|Dekan|Juru\ Bicara|Jubir|Kasatpol\ PP|Kabag\w*|Kasubag\w*|Kasat\w*
   |Kasubdit\w*|Wadir\w*|Dirres\w+|Kabareskrim|Kadiv\w*|Karo\w+|Kapuspen\w*|Wabup|Wagub|Wawali|Raja|Ratu
   |Sultan|Komandan|Danjen|Dansat\w*|Pemimpin|Pimpinan
   |""" + "|".join(sorted(MINISTER_ABBREVIATIONS, key=len, reverse=True)) + "\n"
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
