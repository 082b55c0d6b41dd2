from pantau.extractors.boilerplate import clean_text, strip_dateline


def test_furniture_lines_removed():
    raw = ("Bandung (ANTARA) - Pemprov Jabar menerbitkan aturan baru.\n"
           "Baca Juga:Alokasi Dana dari BKUD Tahun 2022\n"
           "SCROLL TO CONTINUE WITH CONTENT\n"
           "Isi kedua  tetap   ada.\n"
           "Simak Video \"Banjir di Bandung\"\n"
           "ADVERTISEMENT\n"
           "baca juga: artikel lain\n"
           "Pewarta: Ajat Sudrajat\n"
           "Editor: Budi\n"
           "Copyright © ANTARA 2025")
    assert clean_text(raw) == "Pemprov Jabar menerbitkan aturan baru.\nIsi kedua tetap ada."


def test_datelines():
    assert strip_dateline("BANDUNG, KOMPAS.com - Gubernur berkata.") == "Gubernur berkata."
    assert strip_dateline("Jakarta, CNN Indonesia -- Isi.") == "Isi."
    assert strip_dateline("BANDUNG - Isi.") == "Isi."
    # An ordinary sentence with a dash is not a dateline.
    assert strip_dateline("Menurut dia - ini penting.") == "Menurut dia - ini penting."


def test_paragraphs_kept_and_blank_runs_collapsed():
    assert clean_text("Satu.\n\n\n\nDua.\r\nTiga.") == "Satu.\n\nDua.\nTiga."


def test_pure_and_idempotent():
    raw = "Bandung (ANTARA) - A.\nBaca juga: B\nC."
    assert clean_text(clean_text(raw)) == clean_text(raw) == "A.\nC."


def test_dateline_after_headline_line():
    raw = "Pemkot Bandung Tata 640 PKL\nBANDUNG – Pemerintah Kota Bandung mulai menata PKL.\nTonton juga video \"X\""
    assert clean_text(raw) == "Pemkot Bandung Tata 640 PKL\nPemerintah Kota Bandung mulai menata PKL."
