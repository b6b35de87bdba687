"""The trial-site linking rule on real files, for reading by hand (how its precision was measured).

Usage:
    python benchmarks/trial_site_links.py [--shared ../shared/data] [--workdir var/bench-links]
Imports the CMS and HIFLD hospital files and the legacy XML ClinicalTrials.gov records into a fresh SQLite
database, then prints every link of `signals.link_trial_sites` (rule, similarity, the site as the trial names
it, the hospital it links to), those whose names differ first. docs/data-sources.md reports the reading.
"""

from __future__ import annotations

import argparse
import shutil
from collections import Counter
from pathlib import Path

from sqlalchemy.orm import Session

from onconav import migrate
from onconav.db import create_db_engine
from onconav.directory import signals
from onconav.directory.imports import framework, registry
from onconav.trials import service as trials_service
from onconav.trials.sources import iter_source


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--workdir", type=Path, default=Path("var/bench-links"))
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    args.workdir.mkdir(parents=True)
    engine = create_db_engine(f"sqlite:///{args.workdir / 'links.sqlite3'}")
    migrate.upgrade(engine)
    for source, path in (
        ("cms-hospitals", "cms_hospital_general_information/Hospital_General_Information.csv"),
        ("hifld-hospitals", "hifld_hospitals/Hospitals.csv"),
    ):
        framework.run_import(engine, registry.get_source(source), args.shared / path)
    with Session(engine) as session:
        trials_service.import_records(
            session, iter_source(args.shared / "clinicaltrials_gov_samples" / "legacy_xml")
        )
        session.commit()
        sites = trials_service.list_trial_sites(session)
        connection = session.connection()
        hospitals = signals._hospital_places(connection)
        names = dict(connection.exec_driver_sql("SELECT id, name FROM organization").all())
    links = signals.link_trial_sites(sites, hospitals)
    us_sites = [s for s in sites if (s.country_code or "").upper() in ("US", "PR") and s.facility]
    print(f"sites {len(sites)}, US sites with a facility {len(us_sites)}, links {len(links)}")
    print(dict(Counter(link.rule for link in links)))
    same = lambda link: signals.normalise_name(link.site.facility or "") == link.hospital.name  # noqa: E731
    for link in sorted(links, key=lambda link: (same(link), link.site.state or "", link.site.facility or "")):
        site = link.site
        print(
            f"{link.rule}\t{link.similarity}\t{site.facility} | {site.city} {site.state} {site.postal_code}"
            f"\t=> {names[link.hospital.id]}"
        )


if __name__ == "__main__":
    main()
