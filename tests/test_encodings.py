"""Text in any encoding: each file of a mixed corpus decoded right, and the guess named."""

from __future__ import annotations

from pathlib import Path

from retrieval import load_corpus
from retrieval.reading.encoding import decode_bytes

TEXTS = {
    "utf8.md": (
        "utf-8",
        "Установка: запустите pip install. 安装：运行 pip install。Café crème.\n",
    ),
    "utf16_no_bom.txt": (
        "utf-16-le",
        "Install the package with pip, then restart the server. Привет, мир.\n",
    ),
    "russian.txt": (
        "cp1251",
        "Привет! Это документация проекта. Чтобы установить пакет, выполните команду "
        "pip install, затем настройте файл конфигурации и перезапустите сервер.\n",
    ),
    "chinese.txt": (
        "gb18030",
        "你好！这是项目的文档。要安装软件包，请运行 pip install 命令，"
        "然后编辑配置文件并重新启动服务器。\n",
    ),
    "japanese.txt": (
        "shift_jis",
        "こんにちは。これはプロジェクトの説明書です。パッケージをインストールするには、"
        "pip install を実行し、設定ファイルを編集してサーバーを再起動してください。\n",
    ),
    "french.txt": (
        "latin-1",
        "Café crème : la société a publié un résumé très détaillé. Pour installer le paquet, "
        "exécutez la commande et modifiez le fichier de configuration à côté.\n",
    ),
}


def test_a_mixed_corpus_is_decoded_right(tmp_path: Path) -> None:
    for name, (encoding, text) in TEXTS.items():
        (tmp_path / name).write_bytes(text.encode(encoding))
    corpus = load_corpus(tmp_path)
    assert {d.source: d.text for d in corpus.documents} == {n: t for n, (_, t) in TEXTS.items()}
    notes = {w.source: w.message for w in corpus.warnings}
    assert notes == {
        "utf16_no_bom.txt": "not valid UTF-8; read as UTF-16LE (detected).",
        "russian.txt": "not valid UTF-8; read as Windows-1251 (detected).",
        "chinese.txt": "not valid UTF-8; read as GB18030 (detected).",
        "japanese.txt": "not valid UTF-8; read as Shift-JIS (cp932) (detected).",
        "french.txt": "not valid UTF-8; read as Windows-1252.",
    }
    assert not any(w.skipped for w in corpus.warnings)


def test_byte_order_marks_decide_and_are_dropped() -> None:
    text = "Größe — 大小\n"
    for encoding in ("utf-8-sig", "utf-16", "utf-32"):
        decoded = decode_bytes(text.encode(encoding))
        assert decoded is not None
        assert (decoded.text, decoded.encoding, decoded.note) == (text, encoding, "")


def test_polish_in_cp1250_is_not_taken_for_windows_1252() -> None:
    text = "Zażółć gęślą jaźń. Aby zainstalować pakiet, uruchom polecenie pip install.\n"
    decoded = decode_bytes(text.encode("cp1250"))
    assert decoded is not None and decoded.text == text


def test_binary_is_still_refused() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    assert decode_bytes(png) is None
    assert decode_bytes(b"ASCII with one stray \x81 byte.") is None
    assert decode_bytes(b"\x00\x01\x02\x03" * 64) is None
