using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ComfyUI.Client.Tests.Runs;

namespace ComfyUI.Client.Tests.Security;

/// <summary>https and wss with the same auth: a tracked run over TLS, API key on the HTTP calls and on the socket upgrade.</summary>
public sealed class TlsTests
{
    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    [Fact]
    public async Task A_run_over_https_and_wss_sends_the_api_key_on_both()
    {
        var ct = TestContext.Current.CancellationToken;
        using var certificate = SelfSigned();
        await using var server = await ScriptedComfyServer.StartAsync(certificate);
        Assert.Equal("https", server.BaseAddress.Scheme);
        server.OnPrompt = (body, http) =>
        {
            var id = body["prompt_id"]!.GetValue<string>();
            server.History[id] = ScriptedComfyServer.SuccessEntry(id, "tls.png");
            _ = server.SendSuccessAsync("runs-test", id, "tls.png");
            return Task.FromResult((200, ScriptedComfyServer.Accepted(id)));
        };
        bool Trust(object? sender, X509Certificate? presented, X509Chain? chain, SslPolicyErrors errors) =>
            presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();
        using var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = Trust } };
        using var http = new HttpClient(handler);
        var options = new ComfyUIClientOptions { BaseAddress = server.BaseAddress, ClientId = "runs-test", ApiKey = "tls-key" };
        options.WebSocket.ConfigureClientWebSocket = ws => ws.RemoteCertificateValidationCallback = Trust;
        await using var client = new ComfyUIClient(http, options);

        var result = await client.RunAsync(Workflow.Parse("""{"2": {"class_type": "SaveImage", "inputs": {}}}"""), cancellationToken: ct)
            .WaitAsync(TimeSpan.FromSeconds(15), ct);

        Assert.Equal("tls.png", Assert.Single(result.Images).Filename);
        Assert.True(client.RunHub.IsSocketHealthy, "the run followed its events over wss");
        Assert.Contains("/ws Bearer tls-key", server.Authorizations);
        Assert.Contains("/api/prompt Bearer tls-key", server.Authorizations);
    }
}
