"""The first pipeline of DataJoint's tutorial ("A Simple Pipeline"), run with frames.

Every code block of the tutorial runs unchanged after ``import frames as dj``; the displays a
notebook would show are printed. The schema diagram is written to ``tutorial_pipeline.svg``.
Run on embedded DuckDB by default; set ``FRAMES_DATABASE_URL`` to use PostgreSQL or MySQL.
"""

import sys

import frames as dj


def show(title: str, value: object) -> None:
    """Print a display the way a notebook cell would."""
    print(f"# {title}")
    print(repr(value))
    print()


schema = dj.Schema("tutorial_first_pipeline")


@schema
class Researcher(dj.Manual):
    definition = """
    researcher_id : int32
    ---
    researcher_name : varchar(100)
    email : varchar(100)
    """


@schema
class Subject(dj.Manual):
    definition = """
    subject_id : int32
    ---
    species : varchar(32)
    date_of_birth : date
    sex : enum('M', 'F', 'unknown')
    """


@schema
class Session(dj.Manual):
    definition = """
    -> Subject
    session_date : date
    ---
    -> Researcher
    session_notes : varchar(255)
    """


@schema
class Recording(dj.Manual):
    definition = """
    -> Session
    recording_id : int16
    ---
    duration : decimal(5,1) # recording duration (seconds)
    quality : enum('good', 'fair', 'poor')
    """


def main(diagram_path: str = "tutorial_pipeline.svg") -> None:
    """Insert the tutorial's data, print every display, write the diagram, clean up."""
    # First: tables with no dependencies
    Researcher.insert(
        [
            {"researcher_id": 1, "researcher_name": "Alice Chen", "email": "alice@lab.org"},
            {"researcher_id": 2, "researcher_name": "Bob Smith", "email": "bob@lab.org"},
        ]
    )
    Subject.insert(
        [
            {"subject_id": 1, "species": "mouse", "date_of_birth": "2024-01-15", "sex": "M"},
            {"subject_id": 2, "species": "mouse", "date_of_birth": "2024-01-20", "sex": "F"},
            {"subject_id": 3, "species": "mouse", "date_of_birth": "2024-02-01", "sex": "M"},
        ]
    )
    # Then: tables that depend on others
    Session.insert(
        [
            {
                "subject_id": 1,
                "session_date": "2024-06-01",
                "researcher_id": 1,
                "session_notes": "First session",
            },
            {
                "subject_id": 1,
                "session_date": "2024-06-15",
                "researcher_id": 1,
                "session_notes": "Follow-up",
            },
            {
                "subject_id": 2,
                "session_date": "2024-06-10",
                "researcher_id": 2,
                "session_notes": "Initial recording",
            },
        ]
    )
    # Finally: tables at the bottom of the hierarchy
    Recording.insert(
        [
            {
                "subject_id": 1,
                "session_date": "2024-06-01",
                "recording_id": 1,
                "duration": 300.5,
                "quality": "good",
            },
            {
                "subject_id": 1,
                "session_date": "2024-06-01",
                "recording_id": 2,
                "duration": 450.0,
                "quality": "good",
            },
            {
                "subject_id": 1,
                "session_date": "2024-06-15",
                "recording_id": 1,
                "duration": 600.0,
                "quality": "fair",
            },
            {
                "subject_id": 2,
                "session_date": "2024-06-10",
                "recording_id": 1,
                "duration": 350.0,
                "quality": "good",
            },
        ]
    )

    show("Subject()", Subject())
    show("Recording()", Recording())
    show("Subjects that are male", Subject & {"sex": "M"})
    show("Recordings with good quality", Recording & {"quality": "good"})
    show("Sessions for subject 1", Session & {"subject_id": 1})
    show("Just names and emails", Researcher.proj("researcher_name", "email"))
    show("Compute duration in minutes", Recording.proj(duration_min="duration / 60"))
    show("Sessions with subject info", Session * Subject)
    show(
        "Full recording details with subject and researcher",
        (Recording * Session * Subject * Researcher).proj(
            "researcher_name", "species", "duration", "quality"
        ),
    )
    show("Count recordings per session", Session.aggr(Recording, num_recordings="count(*)"))
    show(
        "Total recording time per subject", Subject.aggr(Recording, total_duration="sum(duration)")
    )
    show(
        "Average duration across all recordings",
        dj.U().aggr(Recording, avg_duration="avg(duration)"),
    )
    show(
        "Good-quality recordings for male subjects, with researcher name",
        (Recording & {"quality": "good"} & (Subject & {"sex": "M"}))
        * Session
        * Researcher.proj("researcher_name"),
    )
    show(
        "Count of good recordings per researcher",
        Researcher.aggr(Session * (Recording & {"quality": "good"}), good_recordings="count(*)"),
    )

    print("# Fetch as list of dicts")
    print(Subject.to_dicts())
    durations = (Recording & {"quality": "good"}).to_arrays("duration")
    print(f"Good recording durations: {durations}")
    one_subject = (Subject & {"subject_id": 1}).fetch1()
    print(f"Subject 1: {one_subject}")
    print()

    dj.Diagram(schema).save(diagram_path)
    print(f"# Schema diagram written to {diagram_path}")
    print(dj.Diagram(schema).make_mermaid())

    # Deleting respects dependencies: the session and all its recordings go together
    (Session & {"subject_id": 2, "session_date": "2024-06-10"}).delete(prompt=False)
    print(f"After the delete: {len(Session)} sessions, {len(Recording)} recordings")

    # Cleanup
    schema.drop(prompt=False)


if __name__ == "__main__":
    main(*sys.argv[1:2])
