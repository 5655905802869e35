// Generated from the route table (CreditFlowsApp.MapCreditFlowsApi) by scripts/http-functions.sh; do not edit.
// One HTTP function per API route: the host routes api/{route} here, ApiDispatcher runs the app's pipeline and endpoint.
using CreditFlows.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CreditFlows.Functions.Functions.Http;

public sealed class AuthorityMatrixFunctions(ApiDispatcher api)
{
    [Function("AuthorityMatrix_Diff_Get")]
    public Task<IResult> AuthorityMatrix_Diff_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "authority-matrix/diff")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("AuthorityMatrix_Diff_Get", req, durable);

    [Function("AuthorityMatrix_Drafts_Import_Post")]
    public Task<IResult> AuthorityMatrix_Drafts_Import_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "authority-matrix/drafts/import")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("AuthorityMatrix_Drafts_Import_Post", req, durable);

    [Function("AuthorityMatrix_Drafts_Post")]
    public Task<IResult> AuthorityMatrix_Drafts_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "authority-matrix/drafts")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("AuthorityMatrix_Drafts_Post", req, durable);

    [Function("AuthorityMatrix_Drafts_V_Approve_Post")]
    public Task<IResult> AuthorityMatrix_Drafts_V_Approve_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "authority-matrix/drafts/{v}/approve")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("AuthorityMatrix_Drafts_V_Approve_Post", req, durable);

    [Function("AuthorityMatrix_Drafts_V_Put")]
    public Task<IResult> AuthorityMatrix_Drafts_V_Put([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "authority-matrix/drafts/{v}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("AuthorityMatrix_Drafts_V_Put", req, durable);

    [Function("AuthorityMatrix_Drafts_V_Reject_Post")]
    public Task<IResult> AuthorityMatrix_Drafts_V_Reject_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "authority-matrix/drafts/{v}/reject")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("AuthorityMatrix_Drafts_V_Reject_Post", req, durable);

    [Function("AuthorityMatrix_Drafts_V_Submit_Post")]
    public Task<IResult> AuthorityMatrix_Drafts_V_Submit_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "authority-matrix/drafts/{v}/submit")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("AuthorityMatrix_Drafts_V_Submit_Post", req, durable);

    [Function("AuthorityMatrix_Get")]
    public Task<IResult> AuthorityMatrix_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "authority-matrix")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("AuthorityMatrix_Get", req, durable);

    [Function("AuthorityMatrix_Route_Get")]
    public Task<IResult> AuthorityMatrix_Route_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "authority-matrix/route")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("AuthorityMatrix_Route_Get", req, durable);

    [Function("AuthorityMatrix_Versions_V_Export_Get")]
    public Task<IResult> AuthorityMatrix_Versions_V_Export_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "authority-matrix/versions/{v}/export")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("AuthorityMatrix_Versions_V_Export_Get", req, durable);

    [Function("AuthorityMatrix_Versions_V_Get")]
    public Task<IResult> AuthorityMatrix_Versions_V_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "authority-matrix/versions/{v}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("AuthorityMatrix_Versions_V_Get", req, durable);
}
