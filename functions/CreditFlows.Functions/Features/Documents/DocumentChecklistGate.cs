using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Documents;
using CreditFlows.Functions.Features.Applications;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Documents;

/// <summary>
/// Holds a workflow transition to the credit file checklist: called by <see cref="WorkflowService"/> after the
/// domain decided and before anything is stored. It reads the documents only when the transition leaves a stage
/// that has a checklist (with the defaults: an investigation sent to review, and the hand-off), so other commands
/// cost nothing. An incomplete checklist throws <see cref="WorkflowRefusal.Invalid(IReadOnlyList{FieldProblem})"/>
/// with one <c>documents</c> problem per missing type, which the API answers 400.
/// </summary>
public sealed class DocumentChecklistGate(DocumentStore store, IOptions<DocumentsOptions> options, Checklist checklist)
{
    public async Task RequireAsync(LoanApplication application, Transition transition, CancellationToken cancellationToken)
    {
        if (!options.Value.EnforceChecklist || !checklist.Gates(transition.From, transition.To, application.Product, application.GuaranteeType))
        {
            return;
        }

        var present = (await store.ListAsync(application.Id, cancellationToken)).Select(d => d.Type).ToHashSet();
        var missing = checklist.Missing(transition.From, transition.To, application.Product, application.GuaranteeType, present);
        if (missing.Count > 0)
        {
            throw WorkflowRefusal.Invalid(missing);
        }
    }
}
