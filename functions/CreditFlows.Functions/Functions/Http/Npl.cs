// Generated from the route table (CreditFlowsApp.MapCreditFlowsApi) by scripts/http-functions.sh; do not edit.
// One HTTP function per API route: the host routes api/{route} here, ApiDispatcher runs the app's pipeline and endpoint.
using CreditFlows.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CreditFlows.Functions.Functions.Http;

public sealed class NplFunctions(ApiDispatcher api)
{
    [Function("Npl_Loans_Get")]
    public Task<IResult> Npl_Loans_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "npl/loans")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Npl_Loans_Get", req, durable);

    [Function("Npl_Loans_LoanId_Get")]
    public Task<IResult> Npl_Loans_LoanId_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "npl/loans/{loanId}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Npl_Loans_LoanId_Get", req, durable);

    [Function("Npl_Loans_LoanId_Patch")]
    public Task<IResult> Npl_Loans_LoanId_Patch([HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "npl/loans/{loanId}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Npl_Loans_LoanId_Patch", req, durable);

    [Function("Npl_Loans_LoanId_Reclassification_Approve_Post")]
    public Task<IResult> Npl_Loans_LoanId_Reclassification_Approve_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "npl/loans/{loanId}/reclassification/approve")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Npl_Loans_LoanId_Reclassification_Approve_Post", req, durable);

    [Function("Npl_Loans_LoanId_Reclassification_Post")]
    public Task<IResult> Npl_Loans_LoanId_Reclassification_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "npl/loans/{loanId}/reclassification")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Npl_Loans_LoanId_Reclassification_Post", req, durable);

    [Function("Npl_Loans_LoanId_Reclassification_Reject_Post")]
    public Task<IResult> Npl_Loans_LoanId_Reclassification_Reject_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "npl/loans/{loanId}/reclassification/reject")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Npl_Loans_LoanId_Reclassification_Reject_Post", req, durable);

    [Function("Npl_Runs_Date_Get")]
    public Task<IResult> Npl_Runs_Date_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "npl/runs/{date}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Npl_Runs_Date_Get", req, durable);

    [Function("Npl_Summary_Get")]
    public Task<IResult> Npl_Summary_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "npl/summary")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Npl_Summary_Get", req, durable);
}
