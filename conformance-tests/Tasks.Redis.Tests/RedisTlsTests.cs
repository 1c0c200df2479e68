using StackExchange.Redis;
using Tasks.Conformance.ConformanceTasks;
using Xunit;

namespace Tasks.Redis.Tests;

/// <summary>
/// TLS on the real server: the test Redis also listens with TLS (<c>scripts/servers.sh</c> makes a throw-away certificate
/// authority for it). Tasks run over that connection when the client trusts the authority; a client that does not is
/// refused with the typed error, so a wrong or missing certificate never passes silently.
/// </summary>
public sealed class RedisTlsTests : RedisTestBase
{
    [Fact]
    public async Task Tasks_run_over_tls_and_an_untrusted_server_certificate_is_refused()
    {
        var prefix = NewPrefix("tls");
        var trusted = ConfigurationOptions.Parse(RedisTestServer.TlsEndpoint);
        trusted.TrustIssuer(RedisTestServer.TlsAuthorityFile);
        var host = Host(prefix, o =>
        {
            o.ConnectionString = null;
            o.ConfigurationOptions = trusted;
            o.UseTls = true;
        });
        await host.StartWorkerAsync();

        var one = await host.Queue.EnqueueAsync(new RecordArgs("over-tls"));
        var many = await host.Queue.EnqueueManyAsync([new RecordArgs("tls-a"), new RecordArgs("tls-b")]);
        foreach (var id in new[] { one.Id, many[0].Id, many[1].Id })
        {
            Assert.Equal(TaskResultStatus.Succeeded, (await FinishedAsync(host, id)).Status);
        }

        // The plain port and the TLS port are one server: what ran over TLS is visible here.
        Assert.NotEmpty(await RedisTestServer.KeysAsync(Admin, prefix));

        var untrusted = Host(prefix, o =>
        {
            o.ConnectionString = $"{RedisTestServer.TlsEndpoint},connectTimeout=1000,connectRetry=1";
            o.UseTls = true;
        });
        var refused = await Assert.ThrowsAsync<TaskBackendUnavailableException>(() => untrusted.Queue.EnqueueAsync(new RecordArgs("never")));
        Assert.Contains("UntrustedRoot", refused.ToString(), StringComparison.Ordinal);
    }
}
