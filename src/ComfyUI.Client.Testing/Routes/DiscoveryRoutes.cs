using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace ComfyUI.Client.Testing.Routes;

/// <summary>/object_info, /models, /features, /system_stats, /internal/*.</summary>
internal sealed class DiscoveryRoutes
{
    private static readonly string[] ModelFolders = ["checkpoints", "configs", "loras", "vae", "text_encoders", "diffusion_models", "clip_vision", "style_models", "embeddings", "diffusers", "vae_approx", "controlnet", "gligen", "upscale_models", "latent_upscale_models", "custom_nodes", "datasets", "hypernetworks", "photomaker", "classifiers", "model_patches", "audio_encoders", "background_removal", "frame_interpolation", "geometry_estimation", "optical_flow", "detection"];

    private readonly ServerContext context;

    public DiscoveryRoutes(ServerContext context)
    {
        this.context = context;
    }

    public static JsonObject Features() => new()
    {
        ["supports_preview_metadata"] = true,
        ["supports_model_type_tags"] = true,
        ["max_upload_size"] = 104857600,
        ["extension"] = new JsonObject { ["manager"] = new JsonObject { ["supports_v4"] = true } },
        ["node_replacements"] = true,
        ["assets"] = false,
    };

    public Task ObjectInfo(HttpContext h)
    {
        var result = new JsonObject();
        foreach (var name in context.Catalog.ClassNames)
        {
            result[name] = context.Catalog.Get(name, context.Files.InputFiles);
        }

        return Http.Json(h, result);
    }

    public Task ObjectInfoClass(HttpContext h)
    {
        var name = (string)h.Request.RouteValues["cls"]!;
        var result = new JsonObject();
        if (context.Catalog.Get(name, context.Files.InputFiles) is { } def)
        {
            result[name] = def;
        }

        return Http.Json(h, result);
    }

    public static Task Models(HttpContext h) => Http.Json(h, Json.StringArray(ModelFolders));

    public static Task ModelFolder(HttpContext h)
    {
        var folder = (string)h.Request.RouteValues["folder"]!;
        return ModelFolders.Contains(folder) ? Http.Json(h, new JsonArray()) : Http.Status(h, 404);
    }

    public static Task SystemStats(HttpContext h)
    {
        var total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var body = new JsonObject
        {
            ["system"] = new JsonObject
            {
                ["os"] = OperatingSystem.IsWindows() ? "win32" : OperatingSystem.IsMacOS() ? "darwin" : "linux",
                ["ram_total"] = total,
                ["ram_free"] = Math.Max(0, total - GC.GetTotalMemory(false)),
                ["comfyui_version"] = "0.33.0",
                ["required_frontend_version"] = "1.49.6",
                ["installed_templates_version"] = null,
                ["required_templates_version"] = "0.11.44",
                ["comfy_package_versions"] = new JsonArray(
                    new JsonObject { ["name"] = "comfyui-frontend-package", ["installed"] = null, ["required"] = "1.49.6" },
                    new JsonObject { ["name"] = "comfyui-workflow-templates", ["installed"] = null, ["required"] = "0.11.44" }),
                ["python_version"] = "FakeComfyUIServer on " + RuntimeInformation.FrameworkDescription,
                ["pytorch_version"] = "none",
                ["embedded_python"] = false,
                ["deploy_environment"] = "fake",
                ["argv"] = Json.StringArray(["main.py", "--cpu"]),
            },
            ["devices"] = new JsonArray(new JsonObject
            {
                ["name"] = "cpu",
                ["type"] = "cpu",
                ["index"] = null,
                ["vram_total"] = total,
                ["vram_free"] = total,
                ["torch_vram_total"] = total,
                ["torch_vram_free"] = total,
            }),
        };
        return Http.Json(h, body);
    }

    public Task FolderPaths(HttpContext h)
    {
        var result = new JsonObject();
        foreach (var folder in ModelFolders)
        {
            result[folder] = Json.StringArray([Path.Combine(context.Files.Root, "models", folder)]);
        }

        return Http.Json(h, result);
    }

    public Task InternalFiles(HttpContext h)
    {
        var type = (string)h.Request.RouteValues["type"]!;
        if (context.Files.TypeDirectory(type) is not { } dir)
        {
            return Http.Json(h, new JsonObject { ["error"] = "Invalid directory type" }, 400);
        }

        var files = new DirectoryInfo(dir).EnumerateFiles()
            .Where(f => !f.Name.StartsWith('.'))
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .Select(f => $"{f.Name} [{type}]");
        return Http.Json(h, Json.StringArray(files));
    }
}
