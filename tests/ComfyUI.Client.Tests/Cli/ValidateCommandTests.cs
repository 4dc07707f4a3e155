using ComfyUI.Client.Cli;
using ComfyUI.Client.Testing;
using ComfyUI.Client.Tests.Validation;

namespace ComfyUI.Client.Tests.Cli;

/// <summary><c>comfyui validate</c>: the server's verdict, offline from a saved /object_info or from a server's; exit 0, 1 or 2.</summary>
public sealed class ValidateCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "comfyui-validate-" + Guid.NewGuid().ToString("N"));

    public ValidateCommandTests() => Directory.CreateDirectory(_folder);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string ObjectInfo => Path.Combine(Fixture.Directory, "http", "object_info.json");

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static Task<CliResult> RunCli(params string[] args) => CliHarness.RunAsync(args);

    private string Write(string text, string extension = ".json")
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + extension);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Json_prints_exactly_the_body_the_server_answered_and_exits_1()
    {
        // The server's own answer to this prompt (a capture), byte for byte apart from the traceback.
        var prompt = Write("""{"prompt": {"2": {"class_type": "SaveImage", "inputs": {"images": ["99", 0], "filename_prefix": "sdk_test/bad"}}}, "client_id": "x"}""");

        var (code, output, _) = await RunCli("validate", prompt, "--object-info", ObjectInfo, "--json");

        Assert.Equal(1, code);
        var expected = Fixture.Http("prompt_error_bad_link.json");
        var withoutTraceback = System.Text.RegularExpressions.Regex.Replace(expected, "\"traceback\": \\[.*?\\]\\}", "\"traceback\": []}");
        Assert.Equal(withoutTraceback + "\n", output.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Equal(ServerBody.Canonical(400, expected), ServerBody.Canonical(400, output));
    }

    [Fact]
    public async Task A_valid_prompt_exits_0_with_the_valid_body()
    {
        var prompt = Write("""{"1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}}, "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}""");

        var json = await RunCli("validate", prompt, "--object-info", ObjectInfo, "--json");
        var human = await RunCli("validate", prompt, "--object-info", ObjectInfo);

        Assert.Equal((0, "{\"valid\": true, \"node_errors\": {}}\n"), (json.ExitCode, json.Out.Replace("\r\n", "\n", StringComparison.Ordinal)));
        Assert.Equal(0, human.ExitCode);
        Assert.StartsWith("valid: the server would run output node 2", human.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Human_output_names_each_node_and_error()
    {
        var prompt = Write("""{"1": {"class_type": "EmptyImage", "inputs": {"width": -5, "height": 8, "batch_size": 1, "color": 0}}, "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}""");

        var (code, output, _) = await RunCli("validate", prompt, "--object-info", ObjectInfo);

        Assert.Equal(1, code);
        Assert.Contains("invalid: [prompt_outputs_failed_validation] Prompt outputs failed validation", output, StringComparison.Ordinal);
        Assert.Contains("node 1 (EmptyImage), needed by output 2:", output, StringComparison.Ordinal);
        Assert.Contains("value_smaller_than_min: Value -5 smaller than min of 1: width", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_ui_workflow_or_a_comfyui_image_is_converted_as_the_editor_does_then_validated()
    {
        var conversion = Path.Combine(Fixture.Directory, "conversion");
        var ui = Path.Combine(conversion, "rules", "reroute_chain.workflow.json");
        var image = Path.Combine(conversion, "images", "lora_multiple.png");

        var uiVerdict = await RunCli("validate", ui, "--object-info", ObjectInfo, "--json");
        var expected = RecordedAnswers.Validator.ValidateJson(File.ReadAllText(Path.Combine(conversion, "rules", "reroute_chain.prompt.json")));
        var imageVerdict = await RunCli("validate", image, "--object-info", ObjectInfo, "--json");
        var imagePrompt = await RunCli("validate", image, "--object-info", ObjectInfo, "--from", "prompt", "--json");
        var notConvertible = await RunCli("validate", Write("""{"nodes": [{"id": 1, "type": "NoSuchNode", "inputs": [], "outputs": [], "widgets_values": []}], "links": []}"""), "--object-info", ObjectInfo);

        Assert.Equal(((int)expected.StatusCode == 200 ? 0 : 1, expected.ToJson() + "\n"), (uiVerdict.ExitCode, uiVerdict.Out.Replace("\r\n", "\n", StringComparison.Ordinal)));
        // The example's models are not on the test server: both forms of the image are rejected for them.
        Assert.Equal(1, imageVerdict.ExitCode);
        Assert.Contains("lora_name", imageVerdict.Out, StringComparison.Ordinal);
        Assert.Equal(1, imagePrompt.ExitCode);
        Assert.Contains("ckpt_name", imagePrompt.Out, StringComparison.Ordinal);
        Assert.Equal(1, notConvertible.ExitCode);
        Assert.Contains("cannot be converted", notConvertible.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_errors_exit_2_and_say_what_to_do()
    {
        var notJson = Write("{not json");

        var missing = await RunCli("validate", Path.Combine(_folder, "nope.json"), "--object-info", ObjectInfo);
        var broken = await RunCli("validate", notJson, "--object-info", ObjectInfo);
        var both = await RunCli("validate", notJson, "--object-info", ObjectInfo, "--server", "http://127.0.0.1:1");
        var noFile = await RunCli("validate", Write("{}"), "--object-info", Path.Combine(_folder, "none.json"));

        Assert.All(new[] { missing, broken, both, noFile }, r => Assert.Equal(2, r.ExitCode));
        Assert.Contains("does not exist", missing.Error, StringComparison.Ordinal);
        Assert.Contains("Invalid JSON", broken.Error, StringComparison.Ordinal);
        Assert.Contains("not both", both.Error, StringComparison.Ordinal);
        Assert.Contains("does not exist", noFile.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_server_it_validates_against_that_servers_schema()
    {
        await using var server = await FakeComfyUIServer.StartAsync(cancellationToken: Ct);
        var prompt = Write("""{"1": {"class_type": "SdkTestTextOutput", "inputs": {"text": "x", "seed": 18446744073709551616}}}""");

        var (code, output, _) = await RunCli("validate", prompt, "--server", server.BaseAddress.ToString(), "--json");

        Assert.Equal(1, code);
        Assert.Contains("\"type\": \"value_bigger_than_max\", \"message\": \"Value 18446744073709551616 bigger than max of 18446744073709551615\"", output, StringComparison.Ordinal);
    }
}
