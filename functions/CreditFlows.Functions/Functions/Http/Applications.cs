// Generated from the route table (CreditFlowsApp.MapCreditFlowsApi) by scripts/http-functions.sh; do not edit.
// One HTTP function per API route: the host routes api/{route} here, ApiDispatcher runs the app's pipeline and endpoint.
using CreditFlows.Functions.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace CreditFlows.Functions.Functions.Http;

public sealed class ApplicationsFunctions(ApiDispatcher api)
{
    [Function("Application_contract")]
    public Task<IResult> Application_contract([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{id}/contract")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Application_contract", req, durable);

    [Function("Application_decision")]
    public Task<IResult> Application_decision([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{id}/decision")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Application_decision", req, durable);

    [Function("Application_disbursement")]
    public Task<IResult> Application_disbursement([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{id}/disbursement")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Application_disbursement", req, durable);

    [Function("Application_handoff")]
    public Task<IResult> Application_handoff([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{id}/handoff")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Application_handoff", req, durable);

    [Function("Application_inspection")]
    public Task<IResult> Application_inspection([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{id}/inspection")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Application_inspection", req, durable);

    [Function("Application_investigation")]
    public Task<IResult> Application_investigation([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{id}/investigation")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Application_investigation", req, durable);

    [Function("Application_review")]
    public Task<IResult> Application_review([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{id}/review")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Application_review", req, durable);

    [Function("Application_submit")]
    public Task<IResult> Application_submit([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{id}/submit")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Application_submit", req, durable);

    [Function("Application_vote")]
    public Task<IResult> Application_vote([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{id}/vote")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Application_vote", req, durable);

    [Function("Application_withdraw")]
    public Task<IResult> Application_withdraw([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{id}/withdraw")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Application_withdraw", req, durable);

    [Function("Applications_Get")]
    public Task<IResult> Applications_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "applications")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Applications_Get", req, durable);

    [Function("Applications_Id_Checklist_Get")]
    public Task<IResult> Applications_Id_Checklist_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "applications/{id}/checklist")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Applications_Id_Checklist_Get", req, durable);

    [Function("Applications_Id_Documents_Audit_Get")]
    public Task<IResult> Applications_Id_Documents_Audit_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "applications/{id}/documents/audit")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Applications_Id_Documents_Audit_Get", req, durable);

    [Function("Applications_Id_Documents_DocumentId_Content_Get")]
    public Task<IResult> Applications_Id_Documents_DocumentId_Content_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "applications/{id}/documents/{documentId}/content")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Applications_Id_Documents_DocumentId_Content_Get", req, durable);

    [Function("Applications_Id_Documents_DocumentId_Delete")]
    public Task<IResult> Applications_Id_Documents_DocumentId_Delete([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "applications/{id}/documents/{documentId}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Applications_Id_Documents_DocumentId_Delete", req, durable);

    [Function("Applications_Id_Documents_DocumentId_Get")]
    public Task<IResult> Applications_Id_Documents_DocumentId_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "applications/{id}/documents/{documentId}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Applications_Id_Documents_DocumentId_Get", req, durable);

    [Function("Applications_Id_Documents_Get")]
    public Task<IResult> Applications_Id_Documents_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "applications/{id}/documents")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Applications_Id_Documents_Get", req, durable);

    [Function("Applications_Id_Documents_Post")]
    public Task<IResult> Applications_Id_Documents_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{id}/documents")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Applications_Id_Documents_Post", req, durable);

    [Function("Applications_Id_Documents_UploadSessions_Post")]
    public Task<IResult> Applications_Id_Documents_UploadSessions_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{id}/documents/upload-sessions")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Applications_Id_Documents_UploadSessions_Post", req, durable);

    [Function("Applications_Id_Documents_UploadSessions_SessionId_Complete_Post")]
    public Task<IResult> Applications_Id_Documents_UploadSessions_SessionId_Complete_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{id}/documents/upload-sessions/{sessionId}/complete")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Applications_Id_Documents_UploadSessions_SessionId_Complete_Post", req, durable);

    [Function("Applications_Id_Documents_UploadSessions_SessionId_Get")]
    public Task<IResult> Applications_Id_Documents_UploadSessions_SessionId_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "applications/{id}/documents/upload-sessions/{sessionId}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Applications_Id_Documents_UploadSessions_SessionId_Get", req, durable);

    [Function("Applications_Id_Get")]
    public Task<IResult> Applications_Id_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "applications/{id}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Applications_Id_Get", req, durable);

    [Function("Applications_Id_History_Get")]
    public Task<IResult> Applications_Id_History_Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "applications/{id}/history")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Applications_Id_History_Get", req, durable);

    [Function("Applications_Post")]
    public Task<IResult> Applications_Post([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("Applications_Post", req, durable);
}
