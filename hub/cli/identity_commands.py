"""``crmhub dedup``, ``crmhub review list | show | accept | reject`` and ``crmhub unmerge``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hub.cli.common import ConfigOption, JsonOption, fail, out, print_json, session

review_app = typer.Typer(help="Possible matches waiting for a person: list, show, accept, reject.")


def dedup(
    connection: Annotated[str, typer.Argument(help="connection whose records are matched")],
    stream: Annotated[str, typer.Option(help="canonical stream")] = "contacts",
    with_: Annotated[list[str] | None, typer.Option("--with", help="also match against this connection "
                                                                  "(repeatable)")] = None,
    report: Annotated[Path | None, typer.Option(help="write cluster_id,connection,record_id,score here")] = None,
    apply: Annotated[bool, typer.Option("--apply", help="link clusters, queue possible matches, merge inside "
                                                        "systems that can")] = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Find the same person within a system and across systems; report, and with --apply act on it."""
    from hub.identity.dedup import run_dedup

    with session(config) as hub:
        summary, _ = run_dedup(hub, [connection, *(with_ or [])], stream, apply=apply, report=report)
    if as_json:
        print_json(summary.as_dict())
        return
    out.print(f"{summary.records} records, {summary.clusters} clusters holding {summary.records_in_clusters} "
              f"records, {summary.review} pairs for review ({summary.duration_s:.1f} s)")
    if apply:
        out.print(f"linked {summary.linked} records in the identity map, merged {summary.merged_in_system} "
                  "inside systems; possible matches queued: crmhub review list")
    for note in summary.skipped:
        out.print(f"  note: {note}", markup=False)
    if report:
        out.print(f"report: {report}", markup=False)


def _members(item: object) -> str:
    return ", ".join(f"{m.connection}:{m.record_id}" for m in item.members)  # type: ignore[attr-defined]


@review_app.command("list")
def review_list(
    status: Annotated[str, typer.Option(help="open, accepted or rejected")] = "open",
    stream: Annotated[str | None, typer.Option(help="only this stream")] = None,
    limit: Annotated[int, typer.Option(help="how many")] = 100,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Review items, oldest first: the records, their score and why they are here."""
    from hub.state.resolution import IdentityStore

    with session(config) as hub:
        items = IdentityStore(hub.store).list_reviews(status, stream, limit)
    if as_json:
        print_json({"items": [{"id": i.id, "stream": i.stream, "kind": i.kind, "status": i.status,
                               "score": i.score, "reason": i.reason,
                               "members": [m.as_dict() for m in i.members]} for i in items]})
        return
    table = Table("id", "stream", "kind", "score", "reason", "records")
    for i in items:
        table.add_row(str(i.id), i.stream, i.kind, f"{i.score:.3f}", i.reason, _members(i))
    out.print(table)


@review_app.command("show")
def review_show(
    item_id: Annotated[int, typer.Argument(help="review item id")],
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """One item with the records' current values side by side, read from their systems."""
    from hub.identity.explain import side_by_side
    from hub.state.resolution import IdentityStore

    with session(config) as hub:
        item = IdentityStore(hub.store).get_review(item_id)
        values = side_by_side(hub, item)
    data = {"id": item.id, "stream": item.stream, "kind": item.kind, "status": item.status, "score": item.score,
            "reason": item.reason, "note": item.note, "members": [m.as_dict() for m in item.members],
            "values": values}
    if as_json:
        print_json(data)
        return
    out.print(f"review {item.id} ({item.kind}, {item.status}): score {item.score:.3f}, {item.reason}")
    table = Table("field", *[f"{m.connection}:{m.record_id}" for m in item.members])
    for name in sorted({k for v in values for k in v}):
        table.add_row(name, *[str(v.get(name, "")) for v in values])
    out.print(table)


@review_app.command("accept")
def review_accept(
    item_ids: Annotated[list[int], typer.Argument(help="review item ids")],
    note: Annotated[str, typer.Option(help="why")] = "",
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """The records are one person: link them (crmhub unmerge undoes it)."""
    from hub.identity.review import accept
    from hub.state.resolution import IdentityStore

    merges = {}
    with session(config) as hub:
        ledger = IdentityStore(hub.store)
        for item_id in item_ids:
            merges[item_id] = accept(hub.store, ledger, item_id, note)
    if as_json:
        print_json({"accepted": [{"id": i, "merge_id": m} for i, m in merges.items()]})
        return
    for item_id, merge_id in merges.items():
        out.print(f"accepted {item_id}: merge {merge_id} (held records load with `crmhub quarantine retry`)")


@review_app.command("reject")
def review_reject(
    item_ids: Annotated[list[int], typer.Argument(help="review item ids")],
    note: Annotated[str, typer.Option(help="why")] = "",
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """The records are different people: keep them apart from now on."""
    from hub.identity.review import reject
    from hub.state.resolution import IdentityStore

    with session(config) as hub:
        ledger = IdentityStore(hub.store)
        for item_id in item_ids:
            reject(hub.store, ledger, item_id, note)
    if as_json:
        print_json({"rejected": item_ids})
        return
    out.print(f"rejected {', '.join(map(str, item_ids))} (held records load with `crmhub quarantine retry`)")


def unmerge(
    merge_id: Annotated[int | None, typer.Argument(help="merge id (crmhub unmerge --list shows them)")] = None,
    record: Annotated[str | None, typer.Option(help="CONNECTION:RECORD_ID: undo the newest merge of this record")
                      ] = None,
    stream: Annotated[str, typer.Option(help="canonical stream")] = "contacts",
    list_: Annotated[bool, typer.Option("--list", help="list recent merges instead")] = False,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Undo an automatic or accepted merge, restoring the identity map; the records stay apart afterwards."""
    from hub.identity.review import unmerge as undo
    from hub.identity.review import unmerge_record
    from hub.state.resolution import IdentityStore

    with session(config) as hub:
        ledger = IdentityStore(hub.store)
        if list_:
            merges = ledger.list_merges()
            rows = [{"id": m.id, "stream": m.stream, "hub_id": m.hub_id, "decided_by": m.decided_by,
                     "score": m.score, "rule": m.rule, "members": [x.as_dict() for x in m.members]} for m in merges]
            if as_json:
                print_json({"merges": rows})
            else:
                out.print(json.dumps(rows, indent=2, ensure_ascii=False), markup=False)
            return
        if record:
            connection, _, record_id = record.partition(":")
            if not record_id:
                fail("--record takes CONNECTION:RECORD_ID")
            undone = unmerge_record(hub.store, ledger, stream, connection, record_id)
        elif merge_id is not None:
            undone = undo(hub.store, ledger, merge_id)
        else:
            fail("name a merge id or --record CONNECTION:RECORD_ID (crmhub unmerge --list shows merges)")
    if as_json:
        print_json({"unmerged": undone.id, "hub_id": undone.hub_id,
                    "members": [m.as_dict() for m in undone.members]})
        return
    out.print(f"unmerged {undone.id}: {len(undone.members)} record(s) restored; they will not be merged again")
