using System.Net.Http.Json;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Tasks.EndToEnd.Tests;

/// <summary>The same PagesApp build on every engine, switched by environment variables alone.</summary>
public sealed class PagesAppTests(ITestOutputHelper output)
{
    public static TheoryData<string> Engines => new(Engine.All);

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task Every_email_is_sent_exactly_once_on(string engineName)
    {
        var engine = new Engine(engineName);
        var runId = Guid.NewGuid().ToString("N")[..8];
        var mail = Directory.CreateTempSubdirectory("pagesapp-mail-").FullName;
        var config = engine.ConfigurationFor("main", runId).Append(new("Tasks:DefaultBackend", "main"));
        await using var cleanup = EngineCleanup.When(engine, runId);
        await using var app = await PagesAppProcess.StartAsync(config, mail);
        using var http = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(30) };

        var info = await http.GetFromJsonAsync<JsonElement>("/");
        output.WriteLine($"{engineName}: the app reports {info}");
        Assert.Contains(engineName == "InMemory" ? "InMemory" : engineName, info.GetProperty("type").GetString(), StringComparison.OrdinalIgnoreCase);

        var ids = new List<string>();
        var expected = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            var subscribers = Enumerable.Range(page * 100, 10).ToArray();
            var response = await http.PostAsJsonAsync($"/pages/{page}/publish", new { title = $"Page {page} ✓", subscribers });
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            ids.AddRange(body.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()!));
            expected.AddRange(subscribers.Select(s => $"page{page}-user{s}"));
        }

        var deadline = DateTime.UtcNow.AddSeconds(90);
        foreach (var id in ids)
        {
            while (true)
            {
                var status = await http.GetFromJsonAsync<JsonElement>($"/tasks/{id}");
                var state = status.GetProperty("status").GetString();
                if (state == "Succeeded")
                {
                    break;
                }

                Assert.True(state is "Ready" or "Running", $"task {id} is {state}: {status}\n{app.Log}");
                Assert.True(DateTime.UtcNow < deadline, $"task {id} still {state} after 90 s\n{app.Log}");
                await Task.Delay(100);
            }
        }

        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync($"/tasks/{Guid.NewGuid()}")).StatusCode);
        await Task.Delay(500); // a duplicate send would land now
        var sent = Directory.GetFiles(mail, "*.eml").Select(f => Path.GetFileName(f)[..Path.GetFileName(f).LastIndexOf('-')]).ToArray();
        output.WriteLine($"{engineName}: {sent.Length} e-mails for {ids.Count} tasks");
        Assert.Equal(expected.Order(StringComparer.Ordinal), sent.Order(StringComparer.Ordinal));
    }
}
