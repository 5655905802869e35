using CreditFlows.Domain.Applications;

namespace CreditFlows.Domain.Documents;

/// <summary>
/// Documents a stage needs before the application moves on from it, for a product and guarantee type (null = any).
/// Rules add up: an application needs the union of the documents of every rule that matches it.
/// </summary>
public sealed record ChecklistRule(ApplicationState Stage, Product? Product, GuaranteeType? GuaranteeType, IReadOnlyList<DocumentType> Documents)
{
    public bool Matches(ApplicationState stage, Product product, GuaranteeType guarantee) =>
        Stage == stage && (Product is null || Product == product) && (GuaranteeType is null || GuaranteeType == guarantee);
}

/// <summary>One required document type of a stage, and the documents that satisfy it.</summary>
public sealed record ChecklistItem(DocumentType Type, bool Present, IReadOnlyList<string> DocumentIds);

public sealed record ChecklistStage(ApplicationState Stage, bool Complete, IReadOnlyList<ChecklistItem> Items);

/// <summary>
/// The credit file checklist (configurable): which documents each stage needs, by product × guarantee type. A
/// workflow command that moves an application forward out of a stage is refused while that stage's list is
/// incomplete, naming what is missing. Moving back (a return), staying (a saved investigation, the next tier)
/// and closing (reject, withdraw, expire) are never held up by documents.
/// </summary>
public sealed class Checklist(IReadOnlyList<ChecklistRule> rules)
{
    /// <summary>The main line of the workflow, in order; stages are taken from it.</summary>
    public static readonly IReadOnlyList<ApplicationState> MainLine =
    [
        ApplicationState.Draft, ApplicationState.Submitted, ApplicationState.Investigation, ApplicationState.Review,
        ApplicationState.Authorisation, ApplicationState.Approved, ApplicationState.Contracted,
        ApplicationState.ReadyForDisbursement, ApplicationState.Disbursed,
    ];

    private static readonly Product[] FarmerProducts = [Product.FarmerMicroCredit, Product.FarmerJointGuarantee, Product.FarmerHousehold];

    /// <summary>
    /// The default checklist, from DOMAIN.md's credit file and the examples: the investigation needs the
    /// application form, the borrower's ID card and the investigation report (farmers also the household
    /// register; a mortgage the property certificate, appraisal report and collateral photos; a pledge photos of
    /// the pledged items); before the hand-off the signed loan contract and IOU (a mortgage also the registration
    /// certificate, a guaranteed loan the guarantee contract).
    /// </summary>
    public static Checklist Default { get; } = new(
    [
        new(ApplicationState.Investigation, null, null, [DocumentType.ApplicationForm, DocumentType.IdCard, DocumentType.InvestigationReport]),
        .. FarmerProducts.Select(p => new ChecklistRule(ApplicationState.Investigation, p, null, [DocumentType.HouseholdRegister])),
        new(ApplicationState.Investigation, null, GuaranteeType.Mortgage, [DocumentType.PropertyCertificate, DocumentType.AppraisalReport, DocumentType.CollateralPhoto]),
        new(ApplicationState.Investigation, null, GuaranteeType.Pledge, [DocumentType.CollateralPhoto]),
        new(ApplicationState.Contracted, null, null, [DocumentType.LoanContract, DocumentType.Iou]),
        new(ApplicationState.Contracted, null, GuaranteeType.Mortgage, [DocumentType.MortgageRegistrationCertificate]),
        new(ApplicationState.Contracted, null, GuaranteeType.Guarantee, [DocumentType.GuaranteeContract]),
    ]);

    public IReadOnlyList<ChecklistRule> Rules { get; } = rules;

    /// <summary>The document types <paramref name="stage"/> needs for this product and guarantee type, in type order.</summary>
    public IReadOnlyList<DocumentType> Required(ApplicationState stage, Product product, GuaranteeType guarantee) =>
        Rules.Where(r => r.Matches(stage, product, guarantee)).SelectMany(r => r.Documents).Distinct().Order().ToList();

    /// <summary>
    /// The stages a transition moves forward out of: every main-line stage from <paramref name="from"/> up to,
    /// not including, <paramref name="to"/> (an investigation submitted straight from Submitted leaves Submitted
    /// and Investigation). Empty for a return, a stay, or a close.
    /// </summary>
    public static IReadOnlyList<ApplicationState> StagesLeft(ApplicationState from, ApplicationState to)
    {
        var start = IndexOf(from);
        var end = IndexOf(to);
        return start < 0 || end <= start ? [] : MainLine.Skip(start).Take(end - start).ToList();
    }

    /// <summary>Every stage that needs documents for this product and guarantee type, in workflow order, with what is there.</summary>
    public IReadOnlyList<ChecklistStage> Evaluate(Product product, GuaranteeType guarantee, IReadOnlyCollection<(DocumentType Type, string Id)> present) =>
        MainLine.Select(stage => Evaluate(stage, product, guarantee, present)).Where(s => s.Items.Count > 0).ToList();

    public ChecklistStage Evaluate(ApplicationState stage, Product product, GuaranteeType guarantee, IReadOnlyCollection<(DocumentType Type, string Id)> present)
    {
        var items = new List<ChecklistItem>();
        foreach (var type in Required(stage, product, guarantee))
        {
            var ids = present.Where(p => p.Type == type).Select(p => p.Id).ToList();
            items.Add(new ChecklistItem(type, ids.Count > 0, ids));
        }

        return new ChecklistStage(stage, items.All(i => i.Present), items);
    }

    /// <summary>What is missing for a transition from → to, one problem per missing type (field <c>documents</c>); empty when complete.</summary>
    public IReadOnlyList<FieldProblem> Missing(ApplicationState from, ApplicationState to, Product product, GuaranteeType guarantee, IReadOnlyCollection<DocumentType> present) =>
        StagesLeft(from, to)
            .SelectMany(stage => Required(stage, product, guarantee).Where(t => !present.Contains(t)).Select(t => (stage, t)))
            .DistinctBy(x => x.t)
            .Select(x => new FieldProblem("documents", $"{x.t} is required before the application moves on from {x.stage}: upload it first."))
            .ToList();

    /// <summary>True when some stage this transition leaves has a checklist at all (so the documents need to be read).</summary>
    public bool Gates(ApplicationState from, ApplicationState to, Product product, GuaranteeType guarantee) =>
        StagesLeft(from, to).Any(stage => Required(stage, product, guarantee).Count > 0);

    private static int IndexOf(ApplicationState state)
    {
        for (var n = 0; n < MainLine.Count; n++)
        {
            if (MainLine[n] == state)
            {
                return n;
            }
        }

        return -1;
    }
}
