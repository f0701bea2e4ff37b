"""Closed vocabularies: the values a field may take, each with the label shown on the site."""

from __future__ import annotations

from kbsite.fields import Choice

STUDY_TYPES = Choice(
    description="Kind of study behind a statement.",
    values=(
        ("focus-group", "Focus group"),
        ("survey", "Survey"),
        ("interviews", "Interviews"),
        ("literature-review", "Literature review"),
        ("tool-review", "Tool review"),
        ("case-study", "Case study"),
        ("hands-on-project", "Hands-on project"),
        ("ethnography", "Ethnography"),
        ("experiment", "Experiment"),
        ("mixed-methods", "Mixed methods"),
    ),
)

LINK_KINDS = Choice(
    description=(
        "Who makes the link between this finding and its principles: `stated` when the source "
        "itself names the principle, `inferred` when the knowledge base's editors map it by their "
        "own reading, `cross-cutting` when the finding concerns MLOps principles in general."
    ),
    values=(
        ("stated", "Stated by the source"),
        ("inferred", "Editors' inference"),
        ("cross-cutting", "Concerns the principles in general"),
    ),
)

EVIDENCE_BASES = Choice(
    description=(
        "What the source offers: a `result` of its own method (the default), or `background` "
        "when the authors state it as their motivation, the context of their study or a "
        "closing remark rather than as something their data showed."
    ),
    values=(
        ("result", "A result of the study"),
        ("background", "Background, not a result"),
    ),
)

PROJECT_STAGES = Choice(
    description="Stage of the ML application the finding applies to.",
    values=(
        ("first-version", "First or initial version"),
        ("larger-application", "Larger application in production"),
    ),
)

DEPLOYMENT_MODES = Choice(
    description="How models reach production in the context the finding applies to.",
    values=(
        ("not-deployed", "Not yet deployed"),
        ("continuous", "Continuous model deployment"),
    ),
)

LEARNING_MODES = Choice(
    description="Kind of machine learning in the context the finding applies to.",
    values=(
        ("online-supervised", "Online supervised learning"),
        ("any", "Any kind of ML application"),
    ),
)

LIMITATION_KINDS = Choice(
    description=(
        "What sort of cost this is: a drawback of applying the principles, a challenge that "
        "hinders adoption, or an effort that adoption requires."
    ),
    values=(
        ("drawback", "Drawback"),
        ("adoption-challenge", "Adoption challenge"),
        ("required-effort", "Required effort"),
    ),
)

CITATION_ROLES = Choice(
    description=(
        "Why the knowledge base holds this source: `primary` studies supply the benefits and "
        "limitations; the `framework` defines the principles; `related` work gives context."
    ),
    values=(
        ("primary", "Primary study"),
        ("framework", "Framework"),
        ("related", "Related work"),
    ),
)

BIBTEX_TYPES = Choice(
    description="BibTeX entry type.",
    values=(
        ("article", "Journal article"),
        ("inproceedings", "Conference paper"),
        ("incollection", "Book chapter"),
        ("book", "Book"),
        ("mastersthesis", "Master's thesis"),
        ("phdthesis", "PhD thesis"),
        ("techreport", "Technical report"),
        ("misc", "Other (preprint, data set, web page)"),
    ),
)

WORK_KINDS = Choice(
    description=(
        "What a `misc` (or other) entry is, when the entry type does not say it: a `preprint`, "
        "a `dataset`, a `webpage` or `software`. It decides the RIS, CSL and Zotero item type."
    ),
    values=(
        ("preprint", "Preprint"),
        ("dataset", "Data set"),
        ("webpage", "Web page"),
        ("software", "Software"),
    ),
)

AUTHOR_LISTS = Choice(
    description=(
        "`complete` (the default) when `authors` lists every author; `truncated` when the "
        "source's own list ends in et al. (BibTeX `and others`)."
    ),
    values=(("complete", "Complete"), ("truncated", "Ends in et al.")),
)

RELATIONS = Choice(
    description="How a related source relates to this one.",
    values=(
        ("similar-study", "Similar study"),
        ("thesis", "Dissertation behind this study"),
        ("study-of-thesis", "Study drawn from this dissertation"),
        ("artifacts", "Artifact package of this study"),
        ("study-of-artifacts", "Study these artifacts belong to"),
    ),
)

STUDY_DESIGNS = Choice(
    description="The study's design; the confidence rules judge each design (see the page "
    '"How confidence is rated").',
    values=(
        ("interviews", "Interviews"),
        ("focus-groups", "Focus groups"),
        ("survey", "Survey"),
        ("multiple-case-study", "Multiple-case study"),
        ("mixed-methods", "Mixed methods"),
        ("repository-mining", "Repository mining"),
        ("systematic-review", "Systematic review"),
        ("case-study", "Case study"),
        ("multivocal-review", "Multivocal review"),
        ("literature-review", "Literature review"),
    ),
)

STUDY_KINDS = Choice(
    description=(
        "`primary` when the study collects its own data, `secondary` when it reviews other "
        "studies (it is then not new primary evidence), `mixed` when it does both."
    ),
    values=(
        ("primary", "Primary study"),
        ("secondary", "Secondary study (review)"),
        ("mixed", "Primary and secondary (mixed)"),
    ),
)

CONFIDENCE_COMPONENTS = Choice(
    description="The confidence component the editors override.",
    values=(
        ("methodological-limitations", "Methodological limitations"),
        ("coherence", "Coherence"),
        ("adequacy", "Adequacy of data"),
        ("relevance", "Relevance"),
    ),
)

CONCERNS = Choice(
    description="The concern the editors judge the component to have.",
    values=(
        ("none", "No or very minor concerns"),
        ("minor", "Minor concerns"),
        ("moderate", "Moderate concerns"),
        ("serious", "Serious concerns"),
    ),
)

GAP_KINDS = Choice(
    description=(
        "What sort of gap the question records: an `open-question` about the sources, "
        "`no-study-found` when the knowledge base knows of no study that answers it (a gap in "
        "the literature as far as it knows), `not-yet-in-kb` when a study exists but has not "
        "been added yet (give its bibliographic line in `reference`)."
    ),
    values=(
        ("open-question", "Open question"),
        ("no-study-found", "No study found"),
        ("not-yet-in-kb", "Study not yet in the knowledge base"),
    ),
)

TAGS = Choice(
    description=(
        "Topics that group principles, benefits and limitations on the tags page; a new topic "
        "is a new value here, with the label readers see."
    ),
    values=(
        ("adoption-decision", "Adoption decision"),
        ("automation", "Automation"),
        ("compliance", "Compliance"),
        ("cost", "Cost and effort"),
        ("culture", "Culture and collaboration"),
        ("data", "Data"),
        ("deployment", "Deployment"),
        ("operations", "Operations"),
        ("quality", "Quality"),
        ("skills", "Skills"),
        ("tooling", "Tooling"),
        ("traceability", "Traceability"),
        ("training", "Model training"),
    ),
)

CONFIDENCE_LEVELS = Choice(
    description="Levels of confidence in a finding, on the GRADE-CERQual scale.",
    values=(
        ("high", "High"),
        ("moderate", "Moderate"),
        ("low", "Low"),
        ("very-low", "Very low"),
    ),
)

BALANCES = Choice(
    description=(
        "How the evidence that fits the answers weighs: `for` when the benefits outweigh the "
        "drawbacks and the costs together, `costly` when they outweigh the drawbacks but not "
        "the costs as well, `even` when benefits and drawbacks weigh the same, `against` when "
        "the drawbacks outweigh the benefits."
    ),
    values=(
        ("for", "Benefits outweigh drawbacks and costs"),
        ("costly", "Benefits outweigh drawbacks, not their costs as well"),
        ("even", "Benefits and drawbacks weigh the same"),
        ("against", "Drawbacks outweigh benefits"),
    ),
)

EVIDENCE_SIDES = Choice(
    description=(
        "How a finding weighs in a guide's recommendation: `for` it, `against` it (a drawback "
        "of doing it now), or as a `cost` (an effort or a challenge it brings). Left out, a "
        "benefit counts for, a drawback against, and an adoption challenge or required effort "
        "as a cost; only limitations may be given another side."
    ),
    values=(
        ("for", "For"),
        ("against", "Against"),
        ("cost", "Cost or challenge"),
    ),
)
